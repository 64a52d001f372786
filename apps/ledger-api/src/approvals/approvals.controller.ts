import { Body, Controller, Param, Post, Req } from '@nestjs/common';
import { CommandGateway } from '../commands/command-gateway.js';
import type { CommandResponse } from '../commands/command-response.js';
import type { AuthenticatedRequest } from '../http/auth/auth.guard.js';
import { AdminCommands } from '../http/openapi.js';
import { ReasonDto } from '../products/products.dto.js';
import { idParam, IsFirmId, IsQuantity, IsReferenceId, IsSku } from '../http/validators.js';

export class GrantApprovalDto {
  @IsReferenceId('MOFCOM-B1-BYTEDANCE') approvalId: string;
  @IsReferenceId('batch-1') batchId: string;
  @IsFirmId() firmId: string;
  @IsSku() sku: string;
  @IsQuantity(180_000) quota: number;
}

@Controller('v1/approvals')
@AdminCommands('approvals')
export class ApprovalsController {
  constructor(private readonly commands: CommandGateway) {}

  @Post()
  grant(@Req() req: AuthenticatedRequest, @Body() body: GrantApprovalDto): Promise<CommandResponse> {
    return this.commands.run(req, { type: 'GrantApproval', data: { ...body } });
  }

  @Post(':approvalId/revoke')
  revoke(
    @Req() req: AuthenticatedRequest,
    @Param('approvalId', idParam('approvalId')) approvalId: string,
    @Body() body: ReasonDto,
  ): Promise<CommandResponse> {
    return this.commands.run(req, { type: 'RevokeApproval', data: { approvalId, reason: body.reason } });
  }
}
