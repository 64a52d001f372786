import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  CommandExecutor,
  type CommandContext,
  type CommandResult,
  type ExecuteOptions,
} from '@ledger/commands';
import type { LedgerCommand } from '@ledger/domain';
import { toProblem } from '../http/problem-details.filter.js';
import { LedgerMetrics } from '../metrics/metrics.js';

/** The one CQRS command: every admin command goes through the same decide-and-append path. */
export class ExecuteLedgerCommand extends Command<CommandResult> {
  constructor(
    readonly command: LedgerCommand,
    readonly context: CommandContext,
    readonly options: ExecuteOptions = {},
  ) {
    super();
  }
}

@CommandHandler(ExecuteLedgerCommand)
export class ExecuteLedgerCommandHandler implements ICommandHandler<ExecuteLedgerCommand> {
  constructor(
    @Inject(CommandExecutor) private readonly executor: CommandExecutor,
    @Inject(LedgerMetrics) private readonly metrics: LedgerMetrics,
  ) {}

  async execute({ command, context, options }: ExecuteLedgerCommand): Promise<CommandResult> {
    try {
      const result = await this.executor.execute(command, context, options);
      this.metrics.commandOutcomes.inc({ command: command.type, outcome: 'accepted' });
      return result;
    } catch (error) {
      this.metrics.commandOutcomes.inc({ command: command.type, outcome: toProblem(error).code });
      throw error;
    }
  }
}
