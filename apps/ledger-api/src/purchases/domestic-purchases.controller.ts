import { Body, Controller, Post, Req } from '@nestjs/common';
import { CommandGateway } from '../commands/command-gateway.js';
import type { CommandResponse } from '../commands/command-response.js';
import type { AuthenticatedRequest } from '../http/auth/auth.guard.js';
import { Roles } from '../http/auth/roles.decorator.js';
import { IsFirmId, IsQuantity, IsReferenceId, IsSku } from '../http/validators.js';

export class RecordDomesticPurchaseDto {
  @IsReferenceId() purchaseId: string;
  @IsFirmId() firmId: string;
  @IsSku() sku: string;
  @IsQuantity() quantity: number;
}

@Controller('v1/domestic-purchases')
@Roles('admin')
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
