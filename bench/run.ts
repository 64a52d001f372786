import { benchAppends } from './append.bench.js';
import { benchCommandsOverHttp, benchStreamLength } from './commands.bench.js';
import { benchReads } from './read.bench.js';
import { commandTable, configDescription, machineDescription, resultTable } from './report.js';
import { readConfig } from './support/config.js';
import { dropBenchDatabase, recreateBenchDatabase, serverInfo } from './support/database.js';
import { progress } from './support/progress.js';

async function main(): Promise<void> {
  const config = readConfig(process.env);
  const header = [machineDescription(await serverInfo(config.serverUrl)), configDescription(config)];
  if (!global.gc) header.push('note:       run with --expose-gc; heap samples include garbage');
  try {
    progress('append phase: fresh database');
    const appends = await benchAppends(await recreateBenchDatabase(config.serverUrl), config.timing);
    // A fresh database again, so that the ledger read holds exactly the generated events.
    progress('read phase: fresh database');
    const reads = await benchReads(await recreateBenchDatabase(config.serverUrl), config.events);
    progress('command phase: fresh database');
    const commands = await benchCommandsOverHttp(
      await recreateBenchDatabase(config.serverUrl),
      config.timing,
    );
    progress('stream-length phase: fresh database');
    const streamLength = await benchStreamLength(await recreateBenchDatabase(config.serverUrl));
    const tables = [resultTable(appends, reads), commandTable(commands, appends, streamLength)];
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
