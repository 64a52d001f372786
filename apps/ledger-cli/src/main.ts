#!/usr/bin/env node
import {
  CommandExecutor,
  runSeed,
  seedScenario,
  type SeedReport,
  type SeedStepResult,
} from '@ledger/commands';
import { ERROR_KINDS } from '@ledger/domain';
import { LedgerSignals, PostgresEventStore, Sequencer } from '@ledger/event-store';
import { openDatabase } from './commands/database.js';
import { runExport } from './commands/export.js';
import { runRebuild, runReplay } from './commands/projections.js';
import { runVerify, type CliIo } from './commands/verify.js';

const USAGE = `usage: ledger <command>

commands:
  seed    load PRODUCT.md's seed scenario into an empty ledger, through the command path
  export  <dir> [--force]: write an audit bundle (entries, checkpoints, keys, manifest)
  verify  <bundle> [--pin-key K]... [--checkpoints saved.json]... [--ledger-id ID] [--json]:
          check a bundle offline, with no database and no service (ledger verify --help)
  replay  (--at-position N | --as-of TIME) [--bundle DIR] [--projection NAME]... [--json]:
          the read models at a past point, from the database or a bundle (ledger replay --help)
  rebuild <projection>... | all: rebuild read models into fresh rows and prove them equal, with progress

environment:
  DATABASE_URL      a PostgreSQL server (postgres://...); unset: the embedded database in LEDGER_DATA_DIR
  LEDGER_DATA_DIR   where the embedded database lives (default ./data)`;

/** A failure to report as one line and exit with. */
class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

async function main(args: readonly string[]): Promise<number> {
  const [command, ...rest] = args;
  if ((command === 'help' || command === '--help' || command === '-h') && rest.length === 0) {
    console.log(USAGE);
    return 0;
  }
  if (command === 'seed' && rest.length === 0) return seed();
  if (command === 'export') return runExport(rest, process.env, consoleIo());
  if (command === 'verify') return runVerify(rest, consoleIo());
  if (command === 'replay') return runReplay(rest, process.env, consoleIo());
  if (command === 'rebuild') return runRebuild(rest, process.env, consoleIo());
  console.error(USAGE);
  return 2;
}

function consoleIo(): CliIo {
  return { stdout: console.log, stderr: console.error, stderrIsTty: process.stderr.isTTY === true };
}

async function seed(): Promise<number> {
  const database = await openDatabase('seed', process.env, consoleIo());
  if (typeof database === 'number') return database;
  console.log(
    database.kind === 'embedded'
      ? `ledger seed: embedded database in ${process.env.LEDGER_DATA_DIR?.trim() || './data'}`
      : 'ledger seed: PostgreSQL server from DATABASE_URL',
  );

  const signals = new LedgerSignals();
  const store = new PostgresEventStore(database.pool, { signals });
  const reported = new Set<string>();
  const sequencer = new Sequencer(database.url, {
    signals,
    logger: {
      log: () => undefined,
      warn: () => undefined,
      error: (message) => {
        if (!reported.has(message)) console.error(message);
        reported.add(message);
      },
    },
  });
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort();
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);

  let report: SeedReport;
  try {
    sequencer.start();
    const width = Math.max(...seedScenario.map((step) => step.description.length));
    report = await runSeed(new CommandExecutor(store), {
      steps: seedScenario,
      signal: interrupt.signal,
      onStep: (result, stepCount) => console.log(stepLine(result, stepCount, width)),
    });
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    await sequencer.stop();
    await database.close();
  }

  printTotals(report);
  if (report.halted) {
    const result = report.steps[report.halted.step - 1];
    const code = result?.code ?? '';
    const hint =
      code in ERROR_KINDS && ERROR_KINDS[code as keyof typeof ERROR_KINDS] === 'conflict'
        ? ' (the ledger already holds what the seed would create: the seed is meant for an empty ledger)'
        : '';
    const appended =
      report.accepted > 0
        ? `; this run appended ${report.accepted} events (positions up to ${report.position})`
        : '';
    throw new CliError(
      `stopped: ${report.halted.reason}${hint}${appended}`,
      interrupt.signal.aborted ? 130 : 1,
    );
  }
  console.log(
    `ledger seed: ${report.steps.length} steps as expected (${report.accepted} accepted, ` +
      `${report.refused} refused); its last event is at position ${report.position}`,
  );
  return 0;
}

function stepLine(result: SeedStepResult, stepCount: number, width: number): string {
  const mark = result.outcome === 'accepted' ? '✓' : '✗';
  const step = `${String(result.step).padStart(String(stepCount).length)}/${stepCount}`;
  const outcome =
    result.outcome === 'accepted'
      ? `accepted at position ${result.position}`
      : result.outcome === 'refused'
        ? `${result.code}`
        : `failed (${result.code}: ${result.message})`;
  const verdict = result.asExpected
    ? 'as expected'
    : `UNEXPECTED (expected ${result.expected === 'accepted' ? 'acceptance' : result.expected})`;
  return `${mark} ${step}  ${result.description.padEnd(width)}  ${outcome}, ${verdict}`;
}

function printTotals({ totals }: SeedReport): void {
  const rows: [string, number, string][] = [];
  for (const [sku, t] of Object.entries(totals.foreign)) {
    rows.push(
      [`${sku} ordered`, t.ordered, ''],
      [`${sku} approved quota`, t.approvedQuota, t.firmsApproved.join(', ')],
      [`${sku} awaiting approval`, t.awaitingApproval, firmsWithout(t.firmsAwaiting)],
      [`${sku} supplied`, t.supplied, ''],
      [`${sku} shipped`, t.shipped, ''],
    );
  }
  for (const [sku, units] of Object.entries(totals.domesticPurchased)) {
    rows.push([`${sku} bought (domestic)`, units, '']);
  }
  if (rows.length === 0) return;
  const label = Math.max(...rows.map(([name]) => name.length));
  const figure = Math.max(...rows.map(([, units]) => units.toLocaleString('en-US').length));
  console.log('totals (from the accepted commands):');
  for (const [name, units, note] of rows) {
    const line = `  ${name.padEnd(label)}  ${units.toLocaleString('en-US').padStart(figure)}  ${note}`;
    console.log(line.trimEnd());
  }
}

function firmsWithout(firms: string[]): string {
  return firms.length > 0 ? `ordered by firms without approval: ${firms.join(', ')}` : '';
}

/** An error as one line; a refused connection to `localhost` is an AggregateError with no message. */
function describe(error: unknown): string {
  if (error instanceof AggregateError && !error.message) {
    return error.errors.map((inner) => describe(inner)).join('; ');
  }
  if (error instanceof Error) {
    return (error.message || (error as NodeJS.ErrnoException).code || error.name).replace(/\s*\n\s*/g, ' ');
  }
  return String(error);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const command = process.argv[2] === 'seed' ? 'ledger seed' : 'ledger';
  console.error(`${command}: ${error instanceof CliError ? error.message : describe(error)}`);
  process.exitCode = error instanceof CliError ? error.exitCode : 1;
}
// Whatever a driver or the embedded database leaves scheduled must not keep a finished command alive.
process.exit();
