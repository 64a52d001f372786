import { createServer, type Server, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;
/** Messages after which the client waits for an answer: the end of one request. */
const REQUEST_ENDS = new Set(['S', 'Q', 'H']);
const TERMINATE = 'X';

interface Request {
  connection: Connection;
  bytes: Uint8Array;
  done: () => void;
}

/**
 * Serves one PGlite instance to ordinary PostgreSQL clients on a loopback port.
 *
 * PGlite is a single session, so every connection shares it. pglite-socket's server forwards each protocol
 * message on its own and interleaves connections between messages: under concurrency one client's Bind then
 * lands after another's Parse ("unnamed prepared statement does not exist", rows sent to the wrong client).
 * Here a connection's messages are grouped up to their Sync (or Query/Flush) and each group runs whole;
 * while a connection has a transaction open, only that connection's requests run.
 */
export class PgliteWireServer {
  private server: Server | null = null;
  private readonly queue: Request[] = [];
  private readonly connections = new Set<Connection>();
  private transactionOwner: Connection | null = null;
  private draining = false;

  constructor(
    private readonly db: PGlite,
    private readonly maxConnections: number,
  ) {}

  async listen(): Promise<number> {
    const server = createServer((socket) => this.accept(socket));
    server.maxConnections = this.maxConnections;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return (server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    for (const connection of this.connections) connection.socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    const connection: Connection = new Connection(socket, (bytes): Promise<void> =>
      this.submit(connection, bytes),
    );
    this.connections.add(connection);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.connections.delete(connection);
      void this.release(connection);
    });
  }

  private submit(connection: Connection, bytes: Uint8Array): Promise<void> {
    return new Promise((resolve) => {
      this.queue.push({ connection, bytes, done: resolve });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      for (;;) {
        const index = this.transactionOwner
          ? this.queue.findIndex((request) => request.connection === this.transactionOwner)
          : 0;
        if (index < 0 || this.queue.length === 0) return;
        const [request] = this.queue.splice(index, 1);
        await this.run(request!);
      }
    } finally {
      this.draining = false;
    }
  }

  private async run(request: Request): Promise<void> {
    const { connection } = request;
    try {
      if (!connection.socket.destroyed) {
        await this.db.runExclusive(() =>
          this.db.execProtocolRawStream(request.bytes, {
            onRawData: (chunk: Uint8Array) => {
              // A copy: the chunk is a view of PGlite's memory, which the next query reuses while a large
              // answer still waits in the socket's queue (a slow reader would get another query's bytes).
              if (!connection.socket.destroyed) connection.socket.write(Buffer.from(chunk));
            },
          }),
        );
      }
    } catch {
      connection.socket.destroy();
    } finally {
      this.transactionOwner = this.db.isInTransaction() ? connection : null;
      request.done();
    }
  }

  /** A client that leaves mid-transaction must not leave the shared session inside its transaction. */
  private async release(connection: Connection): Promise<void> {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (this.queue[i]!.connection === connection) this.queue.splice(i, 1)[0]!.done();
    }
    if (this.transactionOwner === connection) {
      await this.db.exec('ROLLBACK'); // exec takes PGlite's own lock; runExclusive around it would deadlock
      this.transactionOwner = null;
    }
    void this.drain();
  }
}

/** Splits a client's byte stream into protocol messages and hands them over a request at a time. */
class Connection {
  private buffer: Buffer = Buffer.alloc(0);
  private pending: Buffer[] = [];
  private started = false;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly socket: Socket,
    private readonly submit: (bytes: Uint8Array) => Promise<void>,
  ) {
    socket.on('data', (data: Buffer) => this.receive(data));
  }

  private receive(data: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, data]) : data;
    for (;;) {
      if (!this.started) {
        if (this.buffer.length < 8) return;
        const length = this.buffer.readInt32BE(0);
        if (this.buffer.length < length) return;
        const code = this.buffer.readInt32BE(4);
        const message = this.buffer.subarray(0, length);
        this.buffer = this.buffer.subarray(length);
        if (code === SSL_REQUEST) {
          this.socket.write('N');
        } else if (code === CANCEL_REQUEST) {
          this.socket.end();
          return;
        } else {
          this.started = true;
          this.enqueue([message]);
        }
        continue;
      }
      if (this.buffer.length < 5) return;
      const length = 1 + this.buffer.readInt32BE(1);
      if (this.buffer.length < length) return;
      const type = String.fromCharCode(this.buffer[0]!);
      const message = this.buffer.subarray(0, length);
      this.buffer = this.buffer.subarray(length);
      if (type === TERMINATE) {
        this.socket.end();
        return;
      }
      this.pending.push(message);
      if (REQUEST_ENDS.has(type)) {
        this.enqueue(this.pending);
        this.pending = [];
      }
    }
  }

  private enqueue(messages: Buffer[]): void {
    const bytes = new Uint8Array(Buffer.concat(messages));
    this.chain = this.chain.then(() => this.submit(bytes));
  }
}
