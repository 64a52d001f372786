import { Body, Controller, Post, Req } from '@nestjs/common';
import { CommandGateway } from '../commands/command-gateway.js';
import type { CommandResponse } from '../commands/command-response.js';
import type { AuthenticatedRequest } from '../http/auth/auth.guard.js';
import { AdminCommands } from '../http/openapi.js';
import { IsFirmId, IsText } from '../http/validators.js';

export class RegisterFirmDto {
  @IsFirmId() firmId: string;
  @IsText('ByteDance') name: string;
  @IsText('CN') jurisdiction: string;
}

@Controller('v1/firms')
@AdminCommands('firms')
export class FirmsController {
  constructor(private readonly commands: CommandGateway) {}

  @Post()
  register(@Req() req: AuthenticatedRequest, @Body() body: RegisterFirmDto): Promise<CommandResponse> {
    return this.commands.run(req, { type: 'RegisterFirm', data: { ...body } });
  }
}
