import { Writable } from 'node:stream';
import type { Response } from 'express';
import { writeWithBackpressure } from './response-writer.js';

/** A socket stand-in whose buffer holds 16 bytes and which accepts nothing until told to. */
function slowClient(): { res: Response; accept: () => void } {
  const pending: (() => void)[] = [];
  const stream = new Writable({
    highWaterMark: 16,
    write(_chunk, _encoding, callback) {
      pending.push(callback);
    },
  });
  return {
    res: stream as unknown as Response,
    accept: () => pending.splice(0).forEach((callback) => callback()),
  };
}

const settled = async (promise: Promise<boolean>): Promise<boolean | 'pending'> =>
  Promise.race([promise, new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), 20))]);

describe('writing to a client that reads slowly', () => {
  it('answers at once while the buffer has room', async () => {
    const { res } = slowClient();
    expect(await writeWithBackpressure(res, 'abc', new AbortController().signal)).toBe(true);
  });

  it('waits for drain once the buffer is full, then lets the caller read on', async () => {
    const { res, accept } = slowClient();
    const writing = writeWithBackpressure(res, 'x'.repeat(64), new AbortController().signal);
    expect(await settled(writing)).toBe('pending');
    accept();
    expect(await writing).toBe(true);
  });

  it('tells the caller to stop when the client goes away or the request is aborted while waiting', async () => {
    const gone = slowClient();
    const waiting = writeWithBackpressure(gone.res, 'x'.repeat(64), new AbortController().signal);
    expect(await settled(waiting)).toBe('pending');
    (gone.res as unknown as Writable).destroy();
    expect(await waiting).toBe(false);

    const aborted = slowClient();
    const controller = new AbortController();
    const blocked = writeWithBackpressure(aborted.res, 'x'.repeat(64), controller.signal);
    controller.abort();
    expect(await blocked).toBe(false);
    expect(await writeWithBackpressure(aborted.res, 'more', controller.signal)).toBe(false);
  });
});
