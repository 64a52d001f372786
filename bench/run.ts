import { benchAppends } from './append.bench.js';
import { benchCommandsOverHttp, benchStreamLength } from './commands.bench.js';
import { benchProjectionLag, benchProjections, projectionTable } from './projections.bench.js';
import { benchReads } from './read.bench.js';
import { commandTable, configDescription, machineDescription, resultTable } from './report.js';
import { readConfig } from './support/config.js';
import { dropBenchDatabase, recreateBenchDatabase, serverInfo } from './support/database.js';
import { progress } from './support/progress.js';
import { renderTable } from './support/table.js';
import { benchVerify, verifyTable } from './verify.bench.js';

/** Every phase, in order; BENCH_PHASES (a comma list of these names) runs some of them. */
const PHASES = ['ledger', 'commands', 'projections', 'verify'] as const;
type Phase = (typeof PHASES)[number];

function selectedPhases(env: NodeJS.ProcessEnv): Set<Phase> {
  const raw = env['BENCH_PHASES']?.trim();
  if (!raw) return new Set(PHASES);
  const names = raw.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(PHASES as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new Error(`BENCH_PHASES: unknown ${unknown.join(', ')} (${PHASES.join(', ')})`);
  return new Set(names as Phase[]);
}

async function main(): Promise<void> {
  const config = readConfig(process.env);
  const phases = selectedPhases(process.env);
  const header = [machineDescription(await serverInfo(config.serverUrl)), configDescription(config)];
  if (!global.gc) header.push('note:       run with --expose-gc; heap samples include garbage');
  const fresh = () => recreateBenchDatabase(config.serverUrl);
  const tables: string[] = [];
  try {
    if (phases.has('ledger') || phases.has('commands')) {
      progress('append phase: fresh database');
      const appends = await benchAppends(await fresh(), config.timing);
      if (phases.has('ledger')) {
        // A fresh database again, so that the ledger read holds exactly the generated events.
        progress('read phase: fresh database');
        tables.push(resultTable(appends, await benchReads(await fresh(), config.events)));
      }
      if (phases.has('commands')) {
        progress('command phase: fresh database');
        const commands = await benchCommandsOverHttp(await fresh(), config.timing);
        progress('stream-length phase: fresh database');
        const streamLength = await benchStreamLength(await fresh());
        tables.push(commandTable(commands, appends, streamLength));
      }
    }
    if (phases.has('projections')) {
      progress('projections phase: fresh database');
      const built = await benchProjections(await fresh(), config.events);
      progress('projection lag phase: fresh database');
      const lag = await benchProjectionLag(await fresh(), config.timing.measureMs / 1000);
      tables.push(projectionTable({ ...built, lag }, renderTable));
    }
    if (phases.has('verify')) {
      progress('verify phase');
      tables.push(verifyTable(await benchVerify(config.events)));
    }
    process.stdout.write(`${header.join('\n')}\n\n${tables.join('\n\n')}\n`);
  } finally {
    progress('dropping the bench database');
    await dropBenchDatabase(config.serverUrl);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
