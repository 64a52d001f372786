import { Body, Controller, Post, Req } from '@nestjs/common';
import { CommandGateway } from '../commands/command-gateway.js';
import type { CommandResponse } from '../commands/command-response.js';
import type { AuthenticatedRequest } from '../http/auth/auth.guard.js';
import { AdminCommands } from '../http/openapi.js';
import { IsQuantity, IsReferenceId, IsSku } from '../http/validators.js';

export class RecordSupplyDto {
  @IsReferenceId('NV-INV-2026-01') supplyId: string;
  @IsSku() sku: string;
  @IsQuantity() quantity: number;
}

@Controller('v1/supply')
@AdminCommands('supply')
export class SupplyController {
  constructor(private readonly commands: CommandGateway) {}

  @Post()
  record(@Req() req: AuthenticatedRequest, @Body() body: RecordSupplyDto): Promise<CommandResponse> {
    return this.commands.run(req, { type: 'RecordSupply', data: { ...body } });
  }
}
