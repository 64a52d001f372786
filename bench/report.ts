import { cpus, loadavg, type as osType, release } from 'node:os';
import type { CommandRun, StreamLengthResult } from './commands.bench.js';
import { APPEND_ROUNDS, type AppendComparison } from './append.bench.js';
import type { TimedRun } from './support/timed-writers.js';
import type { ReadComparison } from './read.bench.js';
import type { BenchConfig } from './support/config.js';
import type { ServerInfo } from './support/database.js';
import { renderTable } from './support/table.js';

const TARGETS = {
  /** Ledger appends/s over plain INSERTs/s, at the highest writer count. */
  appendRatio: 0.8,
  lagP99Ms: 50,
  /** Ledger events/s over plain SELECT rows/s. */
  readRatio: 0.8,
  /**
   * "Flat": heap growth over the whole read stays within a few pages' worth. Retaining the events
   * would grow it by hundreds of MB per million.
   */
  heapGrowthMb: 25,
  /** Accepted ReleaseShipment commands/s over HTTP at 32 clients, releases spread over 10 firms x 2 products. */
  releasesPerSecond: 1_000,
  /** A command against a 10,000-event stream over one against a fresh stream. */
  streamLengthRatio: 1.5,
} as const;

interface Row {
  measurement: string;
  writers: number;
  baseline?: string;
  ledger: string;
  ratio?: number;
  p50?: string;
  p99?: string;
  lagP50?: number;
  lagP99?: number;
  note: string;
}

const COLUMNS: readonly [title: string, cell: (row: Row) => string][] = [
  ['measurement', (row) => row.measurement],
  ['writers', (row) => String(row.writers)],
  ['baseline', (row) => row.baseline ?? ''],
  ['ledger', (row) => row.ledger],
  ['ratio', (row) => (row.ratio === undefined ? '' : `${row.ratio.toFixed(2)}x`)],
  ['p50 ms (base / ledger)', (row) => row.p50 ?? ''],
  ['p99 ms (base / ledger)', (row) => row.p99 ?? ''],
  ['lag p50 ms', (row) => (row.lagP50 === undefined ? '' : ms(row.lagP50))],
  ['lag p99 ms', (row) => (row.lagP99 === undefined ? '' : ms(row.lagP99))],
  ['target / note', (row) => row.note],
];

/** Includes the load average: other work on the machine skews every figure. */
export function machineDescription(server: ServerInfo): string {
  const cpuList = cpus();
  return [
    `machine:    ${cpuList.length} CPUs (${cpuList[0]?.model.trim() ?? 'unknown'}), ${osType()} ${release()}`,
    `load:       ${loadavg()[0]!.toFixed(2)} (1-minute average at start)`,
    `node:       ${process.version}`,
    `postgresql: ${server.version}; autovacuum ${server.autovacuum}`,
  ].join('\n');
}

export function configDescription(config: BenchConfig): string {
  const seconds = config.timing.measureMs / 1_000;
  const warmup = config.timing.warmupMs / 1_000;
  return (
    `run:        appends ${seconds} s per configuration, in ${APPEND_ROUNDS} slices taking turns with the ` +
    `baselines, each after ${warmup} s warm-up; ledger of ${count(config.events)} events`
  );
}

export function resultTable(appends: readonly AppendComparison[], reads: ReadComparison): string {
  const highestWriters = Math.max(...appends.map((result) => result.writers));
  const rows = [
    ...appends.map((result) => appendRow(result, result.writers === highestWriters)),
    ...appends.map((result) => transactionalRow(result, result.writers === highestWriters)),
    generationRow(reads),
    readRow(reads),
    heapRow(reads),
  ];
  return renderTable(
    COLUMNS.map(([title]) => title),
    rows.map((row) => COLUMNS.map(([, cell]) => cell(row))),
  );
}

function appendRow(result: AppendComparison, ratioTarget: boolean): Row {
  const { writers, baseline, ledger, lag } = result;
  const row = comparisonRow('append, 1 event per transaction', writers, baseline, ledger, ratioTarget);
  const lagTarget = verdict(`lag p99 < ${TARGETS.lagP99Ms} ms`, lag.p99 < TARGETS.lagP99Ms);
  return { ...row, lagP50: lag.p50, lagP99: lag.p99, note: [row.note, lagTarget].filter(Boolean).join('; ') };
}

/** The same appends next to INSERTs that each run in their own BEGIN/COMMIT. */
function transactionalRow(result: AppendComparison, ratioTarget: boolean): Row {
  const { writers, baselineInTransaction, ledger } = result;
  return comparisonRow(
    'append vs INSERT in BEGIN/COMMIT',
    writers,
    baselineInTransaction,
    ledger,
    ratioTarget,
  );
}

function comparisonRow(
  measurement: string,
  writers: number,
  baseline: TimedRun,
  ledger: TimedRun,
  ratioTarget: boolean,
): Row {
  const ratio = ledger.perSecond / baseline.perSecond;
  return {
    measurement,
    writers,
    baseline: `${count(baseline.perSecond)}/s`,
    ledger: `${count(ledger.perSecond)}/s`,
    ratio,
    p50: `${ms(baseline.latency.p50)} / ${ms(ledger.latency.p50)}`,
    p99: `${ms(baseline.latency.p99)} / ${ms(ledger.latency.p99)}`,
    note: ratioTarget ? verdict(`>= ${TARGETS.appendRatio}x`, ratio >= TARGETS.appendRatio) : '',
  };
}

function generationRow({ generation }: ReadComparison): Row {
  return {
    measurement: `generate ledger, ${generation.eventsPerAppend} events per append`,
    writers: generation.writers,
    ledger: `${count(generation.appended)} ev/s`,
    note: `stamped ${count(generation.stamped)} ev/s end to end`,
  };
}

function readRow(reads: ReadComparison): Row {
  const ratio = reads.ledger.perSecond / reads.baseline.perSecond;
  return {
    measurement: `read whole ledger, ${count(reads.events)} events, pages of ${reads.pageSize}`,
    writers: 1,
    baseline: `${count(reads.baseline.perSecond)} ev/s`,
    ledger: `${count(reads.ledger.perSecond)} ev/s`,
    ratio,
    note: verdict(`>= ${TARGETS.readRatio}x`, ratio >= TARGETS.readRatio),
  };
}

function heapRow({ events, heap }: ReadComparison): Row {
  return {
    measurement: `heapUsed while reading ${count(events)} events`,
    writers: 1,
    ledger: `${mb(heap.startMb)} / max ${mb(heap.maxMb)} / end ${mb(heap.endMb)} MB`,
    note: verdict(
      `flat (growth < ${TARGETS.heapGrowthMb} MB)`,
      heap.maxMb - heap.startMb < TARGETS.heapGrowthMb,
    ),
  };
}

function verdict(target: string, met: boolean): string {
  return `${target}: ${met ? 'met' : 'MISSED'}`;
}

function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function ms(value: number): string {
  return value.toFixed(2);
}

function mb(value: number): string {
  return value.toFixed(1);
}

/** ReleaseShipment over HTTP, next to the store's own append rate and plain INSERTs at the same concurrency. */
export function commandTable(
  runs: readonly CommandRun[],
  appends: readonly AppendComparison[],
  streamLength: StreamLengthResult,
): string {
  const header = [
    'measurement',
    'clients',
    'commands/s',
    'p50 ms',
    'p99 ms',
    'refused',
    'store append/s',
    'plain INSERT/s',
    'target / note',
  ];
  const rows = runs.map((run) => {
    const append = appends.find((a) => a.writers === run.clients);
    const target =
      run.mix === 'spread' && run.clients === 32
        ? verdict(`>= ${count(TARGETS.releasesPerSecond)}/s`, run.run.perSecond >= TARGETS.releasesPerSecond)
        : '';
    return [
      `ReleaseShipment over HTTP, ${run.mix === 'spread' ? '10 firms x 2 products' : 'all on one product'}`,
      String(run.clients),
      count(run.run.perSecond),
      ms(run.run.latency.p50),
      ms(run.run.latency.p99),
      String(run.refused),
      append ? count(append.ledger.perSecond) : '',
      append ? count(append.baseline.perSecond) : '',
      target,
    ];
  });
  const warmRatio = streamLength.longWarm.p50 / streamLength.freshWarm.p50;
  rows.push([
    `ReleaseShipment, ${count(streamLength.streamLength)}-event product stream vs fresh (warm, p50)`,
    '1',
    '',
    `${ms(streamLength.longWarm.p50)} vs ${ms(streamLength.freshWarm.p50)}`,
    `${ms(streamLength.longWarm.p99)} vs ${ms(streamLength.freshWarm.p99)}`,
    '',
    '',
    '',
    `${warmRatio.toFixed(2)}x; ${verdict(`<= ${TARGETS.streamLengthRatio}x`, warmRatio <= TARGETS.streamLengthRatio)}`,
  ]);
  rows.push([
    'the same, first command after a start (cold cache)',
    '1',
    '',
    `${ms(streamLength.longCold)} vs ${ms(streamLength.freshCold)}`,
    '',
    '',
    '',
    '',
    'the long stream is read once, then cached by version',
  ]);
  return renderTable(header, rows);
}
