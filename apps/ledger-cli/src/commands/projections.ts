import { openBundle } from '@ledger/audit';
import type { Database } from '@ledger/database';
import { type JsonObject, type JsonValue, PostgresEventStore } from '@ledger/event-store';
import {
  backlogTotal,
  type BacklogRow,
  catalog,
  foldRecordedBy,
  foldThrough,
  projectedEntry,
  Projector,
  type ReadModel,
  readModels,
  RebuildInProgressError,
  rebuildProgress,
  replay,
  type ReplayPoint,
  type ReplayResult,
} from '@ledger/projections';
import { openDatabase, type DatabaseEnv } from './database.js';
import type { CliIo } from './verify.js';

export const REBUILD_USAGE = `usage: ledger rebuild <projection>... | all

  rebuilds read models from the ledger into fresh rows while the live ones keep serving, swaps them in
  atomically, and reports the checksum proof (rebuilt rows = live rows at the same position).
  Projections: ${readModels.map((m) => m.name).join(', ')}. If the service runs on the same database, its
  projector does the work and this command follows the progress.`;

export const REPLAY_USAGE = `usage: ledger replay (--at-position N | --as-of TIME) [--bundle DIR] [--projection NAME]... [--json]

  the read models at a past point of the ledger: right after position N, or as of TIME (every entry
  recorded at or before it). From the database, or offline from an exported bundle (--bundle). The result
  equals the service's own atPosition / asOf answer.`;

/** A progress line, redrawn in place on a terminal, printed now and then otherwise. */
function progressBar(io: CliIo, label: string) {
  let lastLine = 0;
  return {
    draw(position: number, target: number, extra = ''): void {
      const fraction = target > 0 ? Math.min(1, position / target) : 1;
      const width = 30;
      const filled = Math.round(fraction * width);
      const line =
        `${label} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${(fraction * 100).toFixed(1).padStart(5)}% ` +
        `${position.toLocaleString('en-US')}/${target.toLocaleString('en-US')}${extra}`;
      if (io.stderrIsTty) process.stderr.write(`\r\x1b[K${line}`);
      else if (Date.now() - lastLine > 5_000 || fraction === 1) {
        io.stderr(line);
        lastLine = Date.now();
      }
    },
    done(): void {
      if (io.stderrIsTty) process.stderr.write('\n');
    },
  };
}

/** `ledger rebuild <name>... | all`: 0 when every rebuild swapped in and proved equal, 1 otherwise, 2 usage. */
export async function runRebuild(argv: readonly string[], env: DatabaseEnv, io: CliIo): Promise<number> {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    (argv.length === 0 ? io.stderr : io.stdout)(REBUILD_USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  const names = argv.includes('all') ? readModels.map((m) => m.name) : [...new Set(argv)];
  const unknown = names.filter((name) => !readModels.some((m) => m.name === name));
  if (unknown.length > 0) {
    io.stderr(
      `ledger rebuild: no projection named ${unknown.join(', ')} (${readModels.map((m) => m.name).join(', ')})`,
    );
    return 2;
  }
  const database = await openDatabase('rebuild', env, io);
  if (typeof database === 'number') return database;
  const projector = new Projector(database.url, database.pool, { models: readModels });
  try {
    await catalog.register(database.pool, readModels);
    const generations = new Map<string, number>();
    for (const name of names) {
      const model = readModels.find((m) => m.name === name)!;
      try {
        const entry = await catalog.requestRebuild(database.pool, name, model.version);
        generations.set(name, entry.buildingGeneration!);
      } catch (error) {
        if (!(error instanceof RebuildInProgressError)) throw error;
        io.stderr(`ledger rebuild: ${name} is already being rebuilt; following it`);
        generations.set(name, error.generation);
      }
    }
    // Leads if no service projects this database; otherwise stands by while the service's projector works.
    projector.start();
    const store = new PostgresEventStore(database.pool);
    let failed = false;
    for (const name of names) {
      const bar = progressBar(io, `rebuilding ${name.padEnd(16)}`);
      for (;;) {
        const entry = (await catalog.get(database.pool, name))!;
        const head = (await store.head()).position;
        if (entry.liveGeneration >= generations.get(name)! && entry.lastRebuild) {
          {
            bar.draw(entry.lastRebuild.position, entry.lastRebuild.position);
            bar.done();
            const report = entry.lastRebuild;
            const proof =
              report.matches === null
                ? 'no comparable live rows (another version)'
                : report.matches
                  ? 'equal to the live rows'
                  : 'DIFFERENT from the live rows';
            io.stdout(
              `${name}: generation ${report.generation} live at position ${report.position}, ${report.rows} rows, ` +
                `checksum ${report.checksum}, ${proof}; ${report.eventsPerSecond.toLocaleString('en-US')} events/s`,
            );
            if (report.matches === false || !report.tableMatchesFold) failed = true;
            break;
          }
        }
        const progress = rebuildProgress(entry, head, Date.now());
        const rate = progress?.eventsPerSecond ?? 0;
        const eta = progress?.etaSeconds != null ? `, ETA ${progress.etaSeconds} s` : '';
        bar.draw(
          progress?.position ?? 0,
          head,
          rate > 0 ? `, ${rate.toLocaleString('en-US')} ev/s${eta}` : '',
        );
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    return failed ? 1 : 0;
  } catch (error) {
    io.stderr(`ledger rebuild: ${(error as Error).message}`);
    return 1;
  } finally {
    await projector.stop();
    await database.close();
  }
}

interface ReplayArgs {
  point: ReplayPoint;
  bundle: string | null;
  models: ReadModel[];
  json: boolean;
}

function parseReplayArgs(argv: readonly string[]): ReplayArgs | string {
  let point: ReplayPoint | null = null;
  let bundle: string | null = null;
  const names: string[] = [];
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = argv[i + 1];
    if (arg === '--json') json = true;
    else if (arg === '--at-position' || arg === '--as-of' || arg === '--bundle' || arg === '--projection') {
      if (value === undefined) return `${arg} needs a value`;
      i++;
      if (arg === '--at-position') {
        if (!/^\d{1,15}$/.test(value)) return '--at-position must be a whole number';
        if (point) return 'give one of --at-position and --as-of';
        point = { position: Number(value) };
      } else if (arg === '--as-of') {
        const time = new Date(value);
        if (Number.isNaN(time.getTime()) || !/(?:Z|[+-]\d{2}:\d{2})$/.test(value)) {
          return '--as-of must be an ISO 8601 instant with its time zone';
        }
        if (point) return 'give one of --at-position and --as-of';
        point = { time: time.toISOString() };
      } else if (arg === '--bundle') bundle = value;
      else names.push(value);
    } else return `unknown argument ${arg}`;
  }
  if (!point) return 'give --at-position N or --as-of TIME';
  const models = names.length === 0 ? [...readModels] : readModels.filter((m) => names.includes(m.name));
  if (models.length !== (names.length === 0 ? readModels.length : new Set(names).size)) {
    return `--projection must name one of ${readModels.map((m) => m.name).join(', ')}`;
  }
  return { point, bundle, models, json };
}

/** `ledger replay`: prints the read models at a past point; 0 done, 1 failed, 2 usage. */
export async function runReplay(argv: readonly string[], env: DatabaseEnv, io: CliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(REPLAY_USAGE);
    return 0;
  }
  const args = parseReplayArgs(argv);
  if (typeof args === 'string') {
    io.stderr(`ledger replay: ${args}`);
    io.stderr(REPLAY_USAGE);
    return 2;
  }
  let database: Database | null = null;
  if (!args.bundle) {
    const opened = await openDatabase('replay', env, io);
    if (typeof opened === 'number') return opened;
    database = opened;
  }
  let result: ReplayResult;
  try {
    result = database ? await replayDatabase(args, database, io) : await replayBundle(args, io);
  } catch (error) {
    io.stderr(`ledger replay: ${(error as Error).message}`);
    return 1;
  } finally {
    await database?.close();
  }
  if (args.json) {
    io.stdout(JSON.stringify(withTotals(result), null, 2));
  } else {
    const at =
      'position' in args.point
        ? `position ${result.position}`
        : `${args.point.time} (position ${result.position})`;
    io.stdout(`read models as of ${at}`);
    for (const model of args.models) printTable(io, model, result.rows[model.name] ?? []);
  }
  return 0;
}

async function replayBundle(args: ReplayArgs, io: CliIo): Promise<ReplayResult> {
  const bundle = await openBundle(args.bundle!);
  const target =
    'position' in args.point ? Math.min(args.point.position, bundle.manifest.size) : bundle.manifest.size;
  const bar = progressBar(io, 'replaying');
  async function* events() {
    for await (const { entry } of bundle.entries()) {
      yield projectedEntry(typeof entry === 'string' ? entry : Buffer.from(entry).toString('utf8'));
    }
  }
  const result = await replay(args.models, events(), args.point, (position) => {
    if (position % 10_000 === 0) bar.draw(position, target);
  });
  bar.draw(result.position, target);
  bar.done();
  return result;
}

async function replayDatabase(args: ReplayArgs, database: Database, io: CliIo): Promise<ReplayResult> {
  const store = new PostgresEventStore(database.pool);
  const head = (await store.head()).position;
  const point = args.point;
  if ('position' in point && point.position > head) {
    throw new Error(`the ledger ends at position ${head}, before position ${point.position}`);
  }
  const target = 'position' in point ? point.position : head;
  const rows: Record<string, JsonObject[]> = {};
  let position = 0;
  for (const model of args.models) {
    const bar = progressBar(io, `replaying ${model.name.padEnd(16)}`);
    const onProgress = (at: number) => bar.draw(at, target);
    const fold =
      'position' in point
        ? await foldThrough(database.pool, store, model, point.position, { onProgress })
        : await foldRecordedBy(database.pool, store, model, point.time, { onProgress });
    bar.done();
    rows[model.name] = model.rows(fold.state);
    position = fold.position;
  }
  return { position, rows };
}

function withTotals(result: ReplayResult): JsonObject {
  const projections: JsonObject = {};
  for (const [name, rows] of Object.entries(result.rows)) {
    projections[name] =
      name === 'backlog' ? { items: rows, total: backlogTotal(rows as BacklogRow[]) } : { items: rows };
  }
  return { position: result.position, projections };
}

function printTable(io: CliIo, model: ReadModel, rows: JsonObject[]): void {
  const shown: JsonObject[] =
    model.name === 'backlog' && rows.length > 0 ? [...rows, backlogTotal(rows as BacklogRow[])] : rows;
  io.stdout('');
  io.stdout(`${model.name} (${rows.length} rows)`);
  if (shown.length === 0) return;
  const fields = model.columns.map((c) => c.field);
  const cell = (value: JsonValue | undefined): string =>
    value === null || value === undefined
      ? ''
      : typeof value === 'number'
        ? value.toLocaleString('en-US')
        : Array.isArray(value)
          ? value.map((item) => (typeof item === 'object' ? JSON.stringify(item) : String(item))).join(',')
          : typeof value === 'object'
            ? JSON.stringify(value)
            : String(value);
  const table = shown.map((row) => fields.map((field) => cell(row[field])));
  const widths = fields.map((field, i) =>
    Math.min(48, Math.max(field.length, ...table.map((r) => r[i]!.length))),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.slice(0, widths[i]).padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  io.stdout(line(fields));
  io.stdout(line(widths.map((w) => '-'.repeat(w))));
  for (const row of table) io.stdout(line(row));
}
