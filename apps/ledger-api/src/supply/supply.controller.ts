import { Body, Controller, Post, Req } from '@nestjs/common';
import { CommandGateway } from '../commands/command-gateway.js';
import type { CommandResponse } from '../commands/command-response.js';
import type { AuthenticatedRequest } from '../http/auth/auth.guard.js';
import { Roles } from '../http/auth/roles.decorator.js';
import { IsQuantity, IsReferenceId, IsSku } from '../http/validators.js';

export class RecordSupplyDto {
  @IsReferenceId() supplyId: string;
  @IsSku() sku: string;
  @IsQuantity() quantity: number;
}

@Controller('v1/supply')
@Roles('admin')
export class SupplyController {
  constructor(private readonly commands: CommandGateway) {}

  @Post()
  record(@Req() req: AuthenticatedRequest, @Body() body: RecordSupplyDto): Promise<CommandResponse> {
    return this.commands.run(req, { type: 'RecordSupply', data: { ...body } });
  }
}
