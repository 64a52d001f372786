import type { Response } from 'express';

/**
 * Writes a chunk and, when the socket buffer is full (`write` answers false), waits for 'drain' before
 * the caller reads more. Answers false once the client has gone or `signal` aborted: stop reading then.
 */
export async function writeWithBackpressure(
  res: Response,
  chunk: string,
  signal: AbortSignal,
): Promise<boolean> {
  if (signal.aborted || res.destroyed || res.writableEnded) return false;
  if (res.write(chunk)) return true;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
    signal.addEventListener('abort', done, { once: true });
  });
  return !signal.aborted && !res.destroyed;
}

/** An AbortController that aborts when the client disconnects (the response closes before it ended). */
export function abortOnClose(res: Response): AbortController {
  const controller = new AbortController();
  res.on('close', () => controller.abort());
  return controller;
}
