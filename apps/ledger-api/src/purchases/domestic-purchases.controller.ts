import { Body, Controller, Post, Req } from '@nestjs/common';
import { CommandGateway } from '../commands/command-gateway.js';
import type { CommandResponse } from '../commands/command-response.js';
import type { AuthenticatedRequest } from '../http/auth/auth.guard.js';
import { AdminCommands } from '../http/openapi.js';
import { IsFirmId, IsQuantity, IsReferenceId, IsSku } from '../http/validators.js';

export class RecordDomesticPurchaseDto {
  @IsReferenceId('DP-2026-0001') purchaseId: string;
  @IsFirmId() firmId: string;
  @IsSku('ASCEND-910C') sku: string;
  @IsQuantity() quantity: number;
}

@Controller('v1/domestic-purchases')
@AdminCommands('domestic-purchases')
export class DomesticPurchasesController {
  constructor(private readonly commands: CommandGateway) {}

  @Post()
  record(
    @Req() req: AuthenticatedRequest,
    @Body() body: RecordDomesticPurchaseDto,
  ): Promise<CommandResponse> {
    return this.commands.run(req, { type: 'RecordDomesticPurchase', data: { ...body } });
  }
}
