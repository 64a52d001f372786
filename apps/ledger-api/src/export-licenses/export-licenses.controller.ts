import { Body, Controller, Param, Post, Req } from '@nestjs/common';
import { CommandGateway } from '../commands/command-gateway.js';
import type { CommandResponse } from '../commands/command-response.js';
import type { AuthenticatedRequest } from '../http/auth/auth.guard.js';
import { AdminCommands } from '../http/openapi.js';
import { ReasonDto } from '../products/products.dto.js';
import { idParam, IsOptionalInstant, IsReferenceId, IsSku, IsText } from '../http/validators.js';

export class GrantExportLicenseDto {
  @IsReferenceId('BIS-H200-CN-01') licenseId: string;
  @IsSku() sku: string;
  @IsText('Nvidia') vendor: string;
  @IsText('CN') destination: string;
  @IsOptionalInstant('2027-12-31T23:59:59Z') validUntil?: string;
}

@Controller('v1/export-licenses')
@AdminCommands('export-licenses')
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
