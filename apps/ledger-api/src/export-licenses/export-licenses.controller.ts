import { Body, Controller, Param, Post, Req } from '@nestjs/common';
import { IsISO8601, IsOptional } from 'class-validator';
import { CommandGateway } from '../commands/command-gateway.js';
import type { CommandResponse } from '../commands/command-response.js';
import type { AuthenticatedRequest } from '../http/auth/auth.guard.js';
import { Roles } from '../http/auth/roles.decorator.js';
import { ReasonDto } from '../products/products.dto.js';
import { idParam, IsReferenceId, IsSku, IsText } from '../http/validators.js';

export class GrantExportLicenseDto {
  @IsReferenceId() licenseId: string;
  @IsSku() sku: string;
  @IsText() vendor: string;
  @IsText() destination: string;
  @IsOptional() @IsISO8601({ strict: true, strictSeparator: true }) validUntil?: string;
}

@Controller('v1/export-licenses')
@Roles('admin')
export class ExportLicensesController {
  constructor(private readonly commands: CommandGateway) {}

  @Post()
  grant(@Req() req: AuthenticatedRequest, @Body() body: GrantExportLicenseDto): Promise<CommandResponse> {
    return this.commands.run(req, { type: 'GrantExportLicense', data: { ...body } });
  }

  @Post(':licenseId/revoke')
  revoke(
    @Req() req: AuthenticatedRequest,
    @Param('licenseId', idParam('licenseId')) licenseId: string,
    @Body() body: ReasonDto,
  ): Promise<CommandResponse> {
    return this.commands.run(req, { type: 'RevokeExportLicense', data: { licenseId, reason: body.reason } });
  }
}
