import { readFile } from 'node:fs/promises';
import {
  BundleError,
  keyIdOf,
  manifestDisagreement,
  openBundle,
  parseCheckpoints,
  verifyLedger,
  type AuditReport,
  type OpenedBundle,
  type PublicKeyRecord,
  type SignedCheckpoint,
} from '@ledger/audit';

export const VERIFY_USAGE = `usage: ledger verify <bundle-dir> [--pin-key <pem-file|keyId>]... [--checkpoints <saved.json>]...
                     [--ledger-id <id>] [--json]

  --pin-key      a public key you trust to sign checkpoints (an Ed25519 PEM file, or a key id
                 ed25519:<hex> looked up in the bundle's keys.json); repeatable. Without one, the
                 bundle's own keys.json is trusted, which a forger can replace.
  --checkpoints  checkpoints you saved earlier outside the service (a list, one checkpoint, or
                 { checkpoints }); repeatable. They catch a truncated tail and a rewritten history.
  --ledger-id    the ledger you expect (default: your saved checkpoints', else the manifest's)
  --json         print the report as JSON

exit codes: 0 verified, 1 verification failed, 2 usage error`;

export interface CliIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  /** Progress is redrawn in place on a terminal, printed every PROGRESS_LINE_EVERY entries otherwise. */
  stderrIsTty: boolean;
}

const PROGRESS_TTY_EVERY = 50_000;
const PROGRESS_LINE_EVERY = 1_000_000;

class UsageError extends Error {}

interface VerifyArgs {
  dir: string;
  pins: string[];
  saved: string[];
  ledgerId: string | null;
  json: boolean;
}

function parseArgs(argv: readonly string[]): VerifyArgs {
  const args: VerifyArgs = { dir: '', pins: [], saved: [], ledgerId: null, json: false };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    if (arg === '--pin-key') args.pins.push(value());
    else if (arg === '--checkpoints') args.saved.push(value());
    else if (arg === '--ledger-id') args.ledgerId = value();
    else if (arg === '--json') args.json = true;
    else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    else positional.push(arg);
  }
  if (positional.length !== 1) throw new UsageError('name one bundle directory');
  args.dir = positional[0]!;
  return args;
}

/** `ledger verify`: checks a bundle with no database and no service. Returns the exit code. */
export async function runVerify(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h')) {
    io.stdout(VERIFY_USAGE);
    return 0;
  }
  let args: VerifyArgs;
  try {
    args = parseArgs(argv);
  } catch (error) {
    io.stderr(`ledger verify: ${(error as Error).message}`);
    io.stderr(VERIFY_USAGE);
    return 2;
  }

  let bundle: OpenedBundle;
  try {
    bundle = await openBundle(args.dir);
  } catch (error) {
    if (error instanceof BundleError) {
      return finish(io, args, null, bundleFailure(args.ledgerId ?? 'unknown', error), 'none');
    }
    throw error;
  }

  let saved: SignedCheckpoint[];
  let trustedKeys: PublicKeyRecord[];
  let ledgerId: string;
  try {
    saved = await readSaved(args.saved);
    trustedKeys = await resolvePins(args.pins, bundle, io);
    ledgerId = expectedLedger(args, saved, bundle);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`ledger verify: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const pinned = args.pins.length > 0;
  if (!pinned) {
    trustedKeys = bundle.keys;
    io.stderr(
      `WARNING: no --pin-key: trusting the ${bundle.keys.length} key(s) in the bundle's own keys.json. ` +
        'Whoever rewrites the bundle can replace them; pin the keys you got from the service out of band.',
    );
  }

  let report: AuditReport;
  try {
    report = await verifyLedger({
      ledgerId,
      entries: bundle.entries(),
      progressEvery: io.stderrIsTty ? PROGRESS_TTY_EVERY : PROGRESS_LINE_EVERY,
      onProgress: (read) => {
        const line = `verifying: ${read.toLocaleString('en-US')} entries`;
        if (io.stderrIsTty) process.stderr.write(`\r${line}`);
        else io.stderr(line);
      },
      checkpoints: bundle.checkpoints,
      trustedKeys,
      savedCheckpoints: saved,
    });
  } catch (error) {
    if (error instanceof BundleError) return finish(io, args, bundle, bundleFailure(ledgerId, error), pinned);
    throw error;
  } finally {
    if (io.stderrIsTty) process.stderr.write('\r\x1b[K');
  }
  if (report.ok) {
    const disagreement = manifestDisagreement(bundle, report);
    if (disagreement) {
      report = {
        ...report,
        ok: false,
        fault: { code: 'MANIFEST_MISMATCH', ...disagreement },
      };
    }
  }
  return finish(io, args, bundle, report, pinned, saved.length);
}

function bundleFailure(ledgerId: string, error: BundleError): AuditReport {
  const through = Math.max(0, error.position - 1);
  return {
    ok: false,
    ledgerId,
    size: through,
    headHash: '',
    merkleRoot: '',
    verifiedThrough: through,
    checkpointsVerified: 0,
    fault: { code: 'BUNDLE_INVALID', position: error.position, detail: error.message },
  };
}

function finish(
  io: CliIo,
  args: VerifyArgs,
  bundle: OpenedBundle | null,
  report: AuditReport,
  pinned: boolean | 'none',
  savedCount = 0,
): number {
  if (args.json) {
    io.stdout(JSON.stringify(report, null, 2));
  } else {
    io.stdout(`ledger verify: ${args.dir} (ledger ${report.ledgerId})`);
    if (bundle) {
      const official = bundle.checkpoints.length;
      io.stdout(`  entries verified  ${report.verifiedThrough.toLocaleString('en-US')}`);
      io.stdout(`  head              ${report.headHash}`);
      io.stdout(`  merkle root       ${report.merkleRoot}`);
      io.stdout(
        `  checkpoints       ${report.checkpointsVerified} verified (the bundle has ${official}, you saved ${savedCount})`,
      );
      io.stdout(
        `  keys              ${pinned === true ? `pinned (${args.pins.join(', ')})` : "UNPINNED: the bundle's own keys.json"}`,
      );
    }
    if (report.fault) {
      io.stdout(`FAILED ${report.fault.code} at position ${report.fault.position}: ${report.fault.detail}`);
    } else {
      io.stdout(pinned === true ? 'OK' : "OK (against the bundle's own keys: pin a key to trust this)");
    }
  }
  return report.ok ? 0 : 1;
}

async function readSaved(paths: readonly string[]): Promise<SignedCheckpoint[]> {
  const all: SignedCheckpoint[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new UsageError(`--checkpoints ${path}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
    try {
      all.push(...parseCheckpoints(JSON.parse(text), path));
    } catch (error) {
      throw new UsageError(`--checkpoints ${path}: ${(error as Error).message}`);
    }
  }
  return all;
}

const KEY_ID = /^ed25519:[0-9a-f]{64}$/;

/** Pinned keys: a key id is looked up in keys.json (its id is its own hash, so the PEM found is the one meant). */
async function resolvePins(
  pins: readonly string[],
  bundle: OpenedBundle,
  io: CliIo,
): Promise<PublicKeyRecord[]> {
  const known = new Map<string, PublicKeyRecord>();
  for (const key of bundle.keys) {
    try {
      known.set(keyIdOf(key.publicKeyPem), key);
    } catch {
      // Not an Ed25519 key: nothing can be pinned to it.
    }
  }
  const trusted: PublicKeyRecord[] = [];
  for (const pin of pins) {
    if (KEY_ID.test(pin)) {
      const record = known.get(pin);
      if (record) trusted.push(record);
      else
        io.stderr(`WARNING: pinned key ${pin} is not in keys.json: checkpoints it signed cannot be checked`);
      continue;
    }
    let pem: string;
    try {
      pem = await readFile(pin, 'utf8');
    } catch (error) {
      throw new UsageError(
        `--pin-key ${pin}: neither a key id (ed25519:<64 hex>) nor a readable file (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
      );
    }
    let keyId: string;
    try {
      keyId = keyIdOf(pem);
    } catch (error) {
      throw new UsageError(`--pin-key ${pin}: not an Ed25519 public key (${(error as Error).message})`);
    }
    const published = known.get(keyId);
    trusted.push({
      keyId,
      publicKeyPem: pem,
      createdAt: published?.createdAt ?? '',
      retiredAt: published?.retiredAt ?? null,
    });
  }
  return trusted;
}

function expectedLedger(args: VerifyArgs, saved: readonly SignedCheckpoint[], bundle: OpenedBundle): string {
  if (args.ledgerId) return args.ledgerId;
  const ids = [...new Set(saved.map((checkpoint) => checkpoint.ledgerId))];
  if (ids.length > 1) {
    throw new UsageError(
      `the saved checkpoints name ${ids.length} ledgers (${ids.join(', ')}); say which with --ledger-id`,
    );
  }
  return ids[0] ?? bundle.manifest.ledgerId;
}
