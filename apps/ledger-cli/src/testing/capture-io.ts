import type { CliIo } from '../commands/verify.js';

/** A CLI's output kept in memory for a test: what went to stdout and to stderr, line by line. */
export function captureIo(): { io: CliIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (line) => out.push(line),
    stderr: (line) => err.push(line),
    stderrIsTty: false,
  };
  return { io, out, err };
}
