import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { CommandResult } from '@ledger/commands';
import type { LedgerCommand } from '@ledger/domain';
import type { AuthenticatedRequest } from '../http/auth/auth.guard.js';
import { correlationIdOf } from '../http/correlation.js';
import { ExecuteLedgerCommand } from './execute-ledger-command.js';

/** What controllers call: names who asked and why, then hands the command to the bus. */
@Injectable()
export class CommandGateway {
  constructor(private readonly bus: CommandBus) {}

  run(request: AuthenticatedRequest, command: LedgerCommand): Promise<CommandResult> {
    const commandId = randomUUID();
    const correlationId = correlationIdOf(request);
    const causationId = headerId(request.headers['x-causation-id']) ?? correlationId;
    const { name, role } = request.principal;
    return this.bus.execute(
      new ExecuteLedgerCommand(command, { actor: name, role, correlationId, causationId, commandId }),
    );
  }
}

function headerId(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(value) ? value : undefined;
}
