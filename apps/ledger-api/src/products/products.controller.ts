import { Body, Controller, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import { CommandGateway } from '../commands/command-gateway.js';
import type { CommandResponse } from '../commands/command-response.js';
import type { AuthenticatedRequest } from '../http/auth/auth.guard.js';
import { AdminCommands } from '../http/openapi.js';
import { skuParam } from '../http/validators.js';
import { ReasonDto, RegisterProductDto, SetPairingRatioDto } from './products.dto.js';

@Controller('v1/products')
@AdminCommands('products')
export class ProductsController {
  constructor(private readonly commands: CommandGateway) {}

  @Post()
  register(@Req() req: AuthenticatedRequest, @Body() body: RegisterProductDto): Promise<CommandResponse> {
    return this.commands.run(req, { type: 'RegisterProduct', data: { ...body } });
  }

  @Post(':sku/imports/block')
  block(
    @Req() req: AuthenticatedRequest,
    @Param('sku', skuParam) sku: string,
    @Body() body: ReasonDto,
  ): Promise<CommandResponse> {
    return this.commands.run(req, { type: 'BlockImports', data: { sku, reason: body.reason } });
  }

  @Post(':sku/imports/unblock')
  unblock(
    @Req() req: AuthenticatedRequest,
    @Param('sku', skuParam) sku: string,
    @Body() body: ReasonDto,
  ): Promise<CommandResponse> {
    return this.commands.run(req, { type: 'UnblockImports', data: { sku, reason: body.reason } });
  }

  @Put(':sku/pairing-ratio')
  @HttpCode(201)
  setPairingRatio(
    @Req() req: AuthenticatedRequest,
    @Param('sku', skuParam) sku: string,
    @Body() body: SetPairingRatioDto,
  ): Promise<CommandResponse> {
    return this.commands.run(req, {
      type: 'SetPairingRatio',
      data: { sku, domesticPerUnit: body.domesticPerUnit },
    });
  }
}
