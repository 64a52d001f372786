import { BundleExistsError, exportBundle, type BundleManifest } from '@ledger/audit';
import { openDatabase, type DatabaseEnv } from './database.js';
import type { CliIo } from './verify.js';

export const EXPORT_USAGE = `usage: ledger export <dir> [--force]

  writes an audit bundle of the ledger as it is now: events.jsonl (the exact hashed entries),
  checkpoints.json, keys.json and manifest.json; --force replaces a bundle already in <dir>.
  The database: DATABASE_URL (postgres://...), else the embedded one in LEDGER_DATA_DIR (./data).`;

const PROGRESS_TTY_EVERY = 50_000;
const PROGRESS_LINE_EVERY = 1_000_000;

/** `ledger export <dir> [--force]`. Returns the exit code: 0 written, 1 failed, 2 usage error. */
export async function runExport(
  argv: readonly string[],
  env: DatabaseEnv,
  io: CliIo,
  now: () => Date = () => new Date(),
): Promise<number> {
  if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h')) {
    io.stdout(EXPORT_USAGE);
    return 0;
  }
  const force = argv.includes('--force');
  const rest = argv.filter((arg) => arg !== '--force');
  const unknown = rest.find((arg) => arg.startsWith('--'));
  if (rest.length !== 1 || unknown) {
    io.stderr(unknown ? `ledger export: unknown option ${unknown}` : 'ledger export: name one directory');
    io.stderr(EXPORT_USAGE);
    return 2;
  }
  const dir = rest[0]!;
  const database = await openDatabase('export', env, io);
  if (typeof database === 'number') return database;

  let manifest: BundleManifest;
  try {
    const every = io.stderrIsTty ? PROGRESS_TTY_EVERY : PROGRESS_LINE_EVERY;
    manifest = await exportBundle(database.pool, dir, {
      createdAt: now().toISOString(),
      force,
      progressEvery: every,
      onProgress: (written, total) => {
        const line = `exporting: ${written.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} entries`;
        if (io.stderrIsTty) process.stderr.write(`\r${line}`);
        else io.stderr(line);
      },
    });
    if (io.stderrIsTty) process.stderr.write('\r\x1b[K');
  } catch (error) {
    if (error instanceof BundleExistsError) {
      io.stderr(`ledger export: ${error.message}`);
      return 1;
    }
    io.stderr(`ledger export: ${(error as Error).message}`);
    return 1;
  } finally {
    await database.close();
  }

  io.stdout(`ledger export: ${dir} (ledger ${manifest.ledgerId})`);
  io.stdout(`  entries      ${manifest.size.toLocaleString('en-US')}`);
  io.stdout(`  head         ${manifest.headHash}`);
  io.stdout(`  merkle root  ${manifest.merkleRoot}`);
  io.stdout(
    `  events.jsonl ${manifest.files['events.jsonl'].bytes.toLocaleString('en-US')} bytes, sha256 ${manifest.files['events.jsonl'].sha256}`,
  );
  io.stdout(
    `verify it with: ledger verify ${dir} --pin-key <the service's public key> --checkpoints <your saved ones>`,
  );
  return 0;
}
