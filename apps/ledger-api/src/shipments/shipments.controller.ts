import { Body, Controller, Param, Post, Req } from '@nestjs/common';
import { CommandGateway } from '../commands/command-gateway.js';
import type { CommandResponse } from '../commands/command-response.js';
import type { AuthenticatedRequest } from '../http/auth/auth.guard.js';
import { AdminCommands } from '../http/openapi.js';
import { idParam, IsQuantity, IsReferenceId } from '../http/validators.js';

export class ReleaseShipmentDto {
  @IsReferenceId('SH-2026-0001') shipmentId: string;
  @IsReferenceId('PO-2026-0001') orderId: string;
  @IsQuantity() quantity: number;
}

/** DeliverShipment takes an empty body; anything in it is an unknown field. */
export class DeliverShipmentDto {}

@Controller('v1/shipments')
@AdminCommands('shipments')
export class ShipmentsController {
  constructor(private readonly commands: CommandGateway) {}

  @Post()
  release(@Req() req: AuthenticatedRequest, @Body() body: ReleaseShipmentDto): Promise<CommandResponse> {
    return this.commands.run(req, { type: 'ReleaseShipment', data: { ...body } });
  }

  @Post(':shipmentId/deliver')
  deliver(
    @Req() req: AuthenticatedRequest,
    @Param('shipmentId', idParam('shipmentId')) shipmentId: string,
    @Body() _body: DeliverShipmentDto,
  ): Promise<CommandResponse> {
    return this.commands.run(req, { type: 'DeliverShipment', data: { shipmentId } });
  }
}
