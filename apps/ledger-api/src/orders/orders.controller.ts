import { Body, Controller, Param, Post, Req } from '@nestjs/common';
import { CommandGateway } from '../commands/command-gateway.js';
import type { CommandResponse } from '../commands/command-response.js';
import type { AuthenticatedRequest } from '../http/auth/auth.guard.js';
import { AdminCommands } from '../http/openapi.js';
import { ReasonDto } from '../products/products.dto.js';
import { idParam, IsFirmId, IsQuantity, IsReferenceId, IsSku } from '../http/validators.js';

export class PlaceOrderDto {
  @IsReferenceId('PO-2026-0001') orderId: string;
  @IsFirmId() firmId: string;
  @IsSku() sku: string;
  @IsQuantity() quantity: number;
}

@Controller('v1/orders')
@AdminCommands('orders')
export class OrdersController {
  constructor(private readonly commands: CommandGateway) {}

  @Post()
  place(@Req() req: AuthenticatedRequest, @Body() body: PlaceOrderDto): Promise<CommandResponse> {
    return this.commands.run(req, { type: 'PlaceOrder', data: { ...body } });
  }

  @Post(':orderId/cancel')
  cancel(
    @Req() req: AuthenticatedRequest,
    @Param('orderId', idParam('orderId')) orderId: string,
    @Body() body: ReasonDto,
  ): Promise<CommandResponse> {
    return this.commands.run(req, { type: 'CancelOrder', data: { orderId, reason: body.reason } });
  }
}
