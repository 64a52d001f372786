import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { CommandContext } from '@ledger/commands';
import type { LedgerCommand } from '@ledger/domain';
import type { AuthenticatedRequest } from '../http/auth/auth.guard.js';
import { correlationIdOf, headerId } from '../http/correlation.js';
import { eventIdFor, idempotencyKeyOf, keyReused, requestHash } from '../http/idempotency/idempotency.js';
import { IdempotencyRepository } from '../http/idempotency/idempotency.repository.js';
import { ProblemError } from '../http/problem-details.js';
import { toProblem } from '../http/problem-details.filter.js';
import { toResponse, type CommandResponse } from './command-response.js';
import { ExecuteLedgerCommand } from './execute-ledger-command.js';

/** What controllers call: names who asked and why, honours Idempotency-Key, and hands the command on. */
@Injectable()
export class CommandGateway {
  constructor(
    private readonly bus: CommandBus,
    private readonly answers: IdempotencyRepository,
  ) {}

  async run(request: AuthenticatedRequest, command: LedgerCommand): Promise<CommandResponse> {
    const key = idempotencyKeyOf(request.headers['idempotency-key']);
    const context = contextOf(request);
    if (!key) return toResponse(await this.bus.execute(new ExecuteLedgerCommand(command, context)));

    const actor = context.actor;
    const hash = requestHash(request.method, request.originalUrl, request.body);
    const earlier = await this.answers.find(actor, key);
    if (earlier) return replay(earlier.requestHash === hash ? earlier : null, key);

    try {
      const result = await this.bus.execute(
        new ExecuteLedgerCommand(
          command,
          { ...context, requestHash: hash },
          { eventId: eventIdFor(actor, key) },
        ),
      );
      // The event may come from an earlier attempt whose answer was never stored: it names its request.
      if (result.metadata.requestHash !== hash) throw keyReused(key);
      const response = toResponse(result);
      await this.answers.remember(actor, key, { requestHash: hash, status: 201, body: response });
      return response;
    } catch (error) {
      const refusal = toProblem(error);
      // A refusal is the answer to this request; a failure (5xx) is not, and may be retried.
      if (refusal.status < 500 && refusal.code !== 'IDEMPOTENCY_KEY_REUSED') {
        await this.answers.remember(actor, key, { requestHash: hash, status: refusal.status, body: refusal });
      }
      throw error;
    }
  }
}

function replay(answer: { status: number; body: object } | null, key: string): CommandResponse {
  if (!answer) throw keyReused(key);
  if (answer.status === 201) return answer.body as CommandResponse;
  throw new ProblemError(answer.body as ProblemError['problem']);
}

function contextOf(request: AuthenticatedRequest): CommandContext {
  const correlationId = correlationIdOf(request);
  return {
    actor: request.principal.name,
    role: request.principal.role,
    correlationId,
    causationId: headerId(request.headers['x-causation-id']) ?? correlationId,
    commandId: randomUUID(),
  };
}
