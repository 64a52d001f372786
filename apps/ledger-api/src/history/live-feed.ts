import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { PostgresEventStore, type LedgerEvent } from '@ledger/event-store';
import { problem, ProblemError } from '../http/problem-details.js';
import { eventView } from './event-view.js';
import { writeWithBackpressure } from './response-writer.js';

export interface LiveFeedOptions {
  /** A comment line this often keeps proxies and idle timeouts from closing a quiet stream. */
  heartbeatMs: number;
  /**
   * How long a caught-up follower waits before it polls again. The in-process sequencer wakes it at once;
   * the poll only matters when another instance stamps.
   */
  pollMs: number;
}

export const LIVE_FEED_OPTIONS = Symbol('LiveFeedOptions');
export const DEFAULT_LIVE_FEED_OPTIONS: LiveFeedOptions = { heartbeatMs: 15_000, pollMs: 100 };

interface OpenStream {
  client: AbortController;
  res: Response;
  done: Promise<void>;
}

/**
 * Server-sent events from the ledger. Each client follows the store from its own position (`store.follow`
 * sees only stamped events, so a late commit is sent at its position, never skipped), and reads on only
 * while its socket takes more. Open streams are tracked so that shutdown can end them: an endless response
 * would otherwise keep the HTTP server from closing.
 */
@Injectable()
export class LiveFeed implements BeforeApplicationShutdown {
  private readonly logger = new Logger('LiveFeed');
  private readonly open = new Set<OpenStream>();
  private closing = false;

  constructor(
    private readonly store: PostgresEventStore,
    @Inject(LIVE_FEED_OPTIONS) private readonly options: LiveFeedOptions,
  ) {}

  get openStreams(): number {
    return this.open.size;
  }

  /** Sends every event after `after` and then each new one as it is stamped, until either side ends. */
  serve(res: Response, after: number): Promise<void> {
    if (this.closing) {
      throw new ProblemError(
        problem(503, 'SHUTTING_DOWN', 'the service is shutting down; reconnect shortly'),
      );
    }
    const client = new AbortController();
    res.on('close', () => client.abort());
    const stream: OpenStream = { client, res, done: Promise.resolve() };
    stream.done = this.pump(stream, after).finally(() => this.open.delete(stream));
    this.open.add(stream);
    return stream.done;
  }

  /** Ends every open stream and waits for their followers to stop, before the server drains. */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    const streams = [...this.open];
    for (const stream of streams) stream.client.abort();
    await Promise.allSettled(streams.map((stream) => stream.done));
  }

  private async pump({ client, res }: OpenStream, after: number): Promise<void> {
    const { signal } = client;
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.write(`: following the ledger after position ${after}\n\n`);
    const heartbeat = setInterval(() => {
      if (!res.writableNeedDrain) res.write(': heartbeat\n\n');
    }, this.options.heartbeatMs);
    try {
      for await (const event of this.store.follow({ after, signal, pollMs: this.options.pollMs })) {
        if (!(await writeWithBackpressure(res, frame(event), signal))) break;
      }
    } catch (error) {
      if (!signal.aborted) this.logger.error(`live feed stopped: ${String(error)}`);
    } finally {
      clearInterval(heartbeat);
      if (!res.writableEnded) res.end();
    }
  }
}

/** One SSE message: the position as its id (what Last-Event-ID resumes from), the type as its event name. */
function frame(event: LedgerEvent): string {
  const name = event.type.replace(/[\r\n]/g, '');
  return `id: ${event.position}\nevent: ${name}\ndata: ${JSON.stringify(eventView(event))}\n\n`;
}
