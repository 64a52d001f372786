import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createTestDatabase, type TestDatabase } from '@ledger/database/testing';
import { PostgresEventStore } from '@ledger/event-store';
import { AppModule } from '../../apps/ledger-api/src/app.module.js';
import { LIVE_FEED_OPTIONS, LiveFeed } from '../../apps/ledger-api/src/history/live-feed.js';
import { TEST_KEYS } from '../support/app.js';
import { anEvent } from '../support/events.js';
import { sleep, until } from '../support/wait.js';

interface Message {
  id: string;
  event: string;
  data: { position: number; eventId: string; type: string; hash: string; prevHash: string };
}

/** A server-sent-events client over fetch: messages and comment lines as they arrive. */
class SseClient {
  readonly messages: Message[] = [];
  readonly comments: string[] = [];
  ended = false;
  private readonly abort = new AbortController();
  private reading: Promise<void> = Promise.resolve();

  static async open(
    url: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; client: SseClient }> {
    const client = new SseClient();
    const response = await fetch(url, { headers, signal: client.abort.signal });
    if (response.status === 200) client.reading = client.read(response.body!);
    else await response.body?.cancel();
    return { status: response.status, client };
  }

  async next(count: number, what = `${count} message(s)`): Promise<Message[]> {
    await until(() => this.messages.length >= count, { what });
    return this.messages.slice(0, count);
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.reading.catch(() => undefined);
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          this.parse(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch (error) {
      if (!this.abort.signal.aborted) throw error;
    } finally {
      this.ended = true;
    }
  }

  private parse(block: string): void {
    const fields: Record<string, string> = {};
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      else fields[line.slice(0, line.indexOf(':'))] = line.slice(line.indexOf(':') + 1).trimStart();
    }
    if (fields['data'] === undefined) return;
    this.messages.push({
      id: fields['id'] ?? '',
      event: fields['event'] ?? '',
      data: JSON.parse(fields['data']) as Message['data'],
    });
  }
}

describe('the live feed: GET /v1/events/live', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let url: string;
  let store: PostgresEventStore;
  let closed: boolean;
  const clients: SseClient[] = [];
  const bearer = (role: keyof typeof TEST_KEYS) => ({ Authorization: `Bearer ${TEST_KEYS[role]}` });

  async function listen(headers: Record<string, string>, query = ''): Promise<SseClient> {
    const { status, client } = await SseClient.open(`${url}/v1/events/live${query}`, headers);
    expect(status).toBe(200);
    clients.push(client);
    return client;
  }

  /** Appends `count` events, one append each, and waits until all are stamped; answers their ids. */
  async function append(count: number, stream = 'supply-LIVE'): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const event = anEvent('SupplyRecorded', { supplyId: `LIVE-${i}`, sku: 'H200', quantity: 1 });
      await store.append({ streamId: stream, expectedVersion: 'any', events: [event] });
      ids.push(event.eventId!);
    }
    await store.waitForStamped(ids, 20_000);
    return ids;
  }

  beforeEach(async () => {
    db = await createTestDatabase();
    const moduleRef = await Test.createTestingModule({
      imports: [
        AppModule.forRoot({
          port: 0,
          database: { url: db.url, dataDir: 'unused: keys are configured' },
          apiKeys: Object.entries(TEST_KEYS).map(([role, secret]) => ({
            name: `test-${role}`,
            role: role as keyof typeof TEST_KEYS,
            secret,
          })),
          commandsPerMinute: 0,
        }),
      ],
    })
      // A short heartbeat, so that a test can see one.
      .overrideProvider(LIVE_FEED_OPTIONS)
      .useValue({ heartbeatMs: 200, pollMs: 250 })
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.enableShutdownHooks();
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
    store = app.get(PostgresEventStore);
    closed = false;
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    if (!closed) await app.close();
    await db.close();
  });

  it('sends each event as id: position, event: type, data: the event; resumes after Last-Event-ID with exactly the missing ones', async () => {
    const first = await append(10);
    const client = await listen(bearer('service'));
    const received = await client.next(10);
    expect(received.map((m) => m.id)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    expect(received.map((m) => m.data.eventId)).toEqual(first);
    expect(received.every((m) => m.event === 'SupplyRecorded' && m.data.type === 'SupplyRecorded')).toBe(
      true,
    );
    expect(received[0]!.data).toMatchObject({ position: 1, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(received[1]!.data.prevHash).toBe(received[0]!.data.hash);

    // The client goes away: its follower stops.
    await client.close();
    const feed = app.get(LiveFeed);
    await until(() => feed.openStreams === 0, { what: 'the follower to stop' });

    const missed = await append(5);
    const resumed = await listen({ ...bearer('auditor'), 'Last-Event-ID': '10' }, '?after=3');
    expect((await resumed.next(5)).map((m) => m.data.eventId)).toEqual(missed);
    const later = await append(2);
    const all = await resumed.next(7);
    expect(all.map((m) => m.id)).toEqual(['11', '12', '13', '14', '15', '16', '17']);
    expect(all.slice(5).map((m) => m.data.eventId)).toEqual(later);
    await sleep(400);
    expect(resumed.messages).toHaveLength(7);

    // Without Last-Event-ID, ?after= sets the start.
    const fromAfter = await listen(bearer('admin'), '?after=15');
    expect((await fromAfter.next(2)).map((m) => m.id)).toEqual(['16', '17']);
  });

  it('gives a listener every event of concurrent writers exactly once, in position order', async () => {
    const client = await listen(bearer('service'));
    const WRITERS = 6;
    const APPENDS = 40;
    const written = await Promise.all(
      Array.from({ length: WRITERS }, async (_, writer) => {
        const ids: string[] = [];
        for (let i = 0; i < APPENDS; i++) {
          // Some appends carry two events, in two streams of their own.
          const events = Array.from({ length: 1 + (i % 2) }, () =>
            anEvent('OrderPlaced', {
              orderId: `W${writer}-${i}`,
              firmId: 'alibaba',
              sku: 'H200',
              quantity: 1,
            }),
          );
          await store.append({ streamId: `order-W${writer}`, expectedVersion: 'any', events });
          ids.push(...events.map((event) => event.eventId!));
        }
        return ids;
      }),
    );
    const total = written.flat().length;
    expect(total).toBe(WRITERS * APPENDS * 1.5);
    const received = await client.next(total, `${total} events`);
    expect(received.map((m) => Number(m.id))).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(new Set(received.map((m) => m.data.eventId))).toEqual(new Set(written.flat()));
    await sleep(400);
    expect(client.messages).toHaveLength(total);
  });

  it('keeps a quiet stream alive with heartbeat comments', async () => {
    const client = await listen(bearer('service'));
    await until(() => client.comments.includes('heartbeat'), { what: 'a heartbeat' });
    expect(client.messages).toHaveLength(0);
  });

  it('lets service, auditor and admin listen; no key is a 401; a malformed Last-Event-ID or after is a 400', async () => {
    for (const role of ['service', 'auditor', 'admin'] as const) {
      const { status, client } = await SseClient.open(`${url}/v1/events/live`, bearer(role));
      clients.push(client);
      expect(status).toBe(200);
    }
    const anonymous = await fetch(`${url}/v1/events/live`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    const badHeader = await fetch(`${url}/v1/events/live`, {
      headers: { ...bearer('service'), 'Last-Event-ID': 'abc' },
    });
    expect(badHeader.status).toBe(400);
    expect(await badHeader.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'Last-Event-ID' }],
    });
    const badAfter = await fetch(`${url}/v1/events/live?after=-5`, { headers: bearer('service') });
    expect(badAfter.status).toBe(400);
    expect(await badAfter.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'after' }] });
  });

  it('does not hold up graceful shutdown: open streams end and the server closes', async () => {
    await append(3);
    const listeners = [await listen(bearer('service')), await listen(bearer('auditor'))];
    for (const listener of listeners) await listener.next(3);
    const started = Date.now();
    closed = true;
    await app.close();
    expect(Date.now() - started).toBeLessThan(5_000);
    await until(() => listeners.every((listener) => listener.ended), { what: 'the streams to end' });
    expect(app.get(LiveFeed).openStreams).toBe(0);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });
});
