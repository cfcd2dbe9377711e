import net from 'node:net';

/**
 * A TCP proxy on a free port in front of a server (the shared MariaDB, which other test runs use
 * and which must not be restarted): a subgraph's database URL points at it, and the test plays
 * the server's faults on it. `pause()` holds what clients send (their queries are in flight),
 * `restart()` drops every connection and refuses new ones until `recover()` (`down()`
 * refuses them as a port nothing listens on does), `full()` answers new
 * ones as a server at its max_connections does, `loseAnswerTo()` cuts a connection once the
 * server has answered a given statement, the answer never reaching the client.
 */
export class TcpProxy {
  private readonly pairs = new Set<{ client: net.Socket; server: net.Socket }>();
  private paused = false;
  private refusing = false;
  private answeringFull = false;
  /** A statement whose answer is to be lost (`loseAnswerTo`), and the connections it was sent on. */
  private answerToLose?: { statement: Buffer; sent: (client: net.Socket) => void };
  /** Bytes clients sent while paused: a query the server has not seen. */
  heldBytes = 0;

  private constructor(
    private readonly listener: net.Server,
    readonly port: number,
  ) {}

  /** A proxy in front of the server a database URL names (`mysql://root@127.0.0.1:3306`). */
  static async inFrontOf(serverUrl: string): Promise<TcpProxy> {
    const server = new URL(serverUrl);
    return await TcpProxy.start({ host: server.hostname, port: Number(server.port || 3306) });
  }

  private static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    let proxy: TcpProxy | undefined;
    const listener = net.createServer((client) => proxy?.accept(client, target));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    proxy = new TcpProxy(listener, (listener.address() as net.AddressInfo).port);
    return proxy;
  }

  /** `mysql://root@127.0.0.1:3306` → the same URL through this proxy. */
  url(serverUrl: string): string {
    const url = new URL(serverUrl);
    url.host = `127.0.0.1:${this.port}`;
    return url.toString().replace(/\/$/, '');
  }

  get connections(): number {
    return this.pairs.size;
  }

  pause(): void {
    this.paused = true;
    this.heldBytes = 0;
  }

  /** Resolves once a client has sent something while paused (fails after `ms`). */
  async somethingHeld(ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.heldBytes === 0) {
      if (Date.now() > deadline) throw new Error(`nothing was sent through the paused proxy within ${ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** As the server going away: every connection is cut (what was held is lost) and new ones are refused. */
  restart(): void {
    this.refusing = true;
    this.paused = false;
    for (const { client, server } of this.pairs) {
      client.destroy();
      server.destroy();
    }
    this.pairs.clear();
  }

  /**
   * As a server at its max_connections while the connections a client held are gone (its
   * wait_timeout ended them, say): every connection is cut, and each new one is answered with
   * MariaDB's "Too many connections" (error 1040, sent in place of the handshake) and closed, until
   * `recover()`.
   */
  full(): void {
    this.restart();
    this.refusing = false;
    this.answeringFull = true;
  }

  /**
   * The next statement a client sends that begins with `statement` (a COM_QUERY packet carries
   * the command byte 3 and then its SQL as written) reaches the server, which runs it; its answer
   * is dropped and the connection cut, as when a connection is lost between the server's commit
   * and its reply. Resolves once it was cut.
   */
  loseAnswerTo(statement: string, ms = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.answerToLose = undefined;
        reject(new Error(`no statement beginning ${statement} was sent within ${ms} ms`));
      }, ms);
      this.answerToLose = {
        statement: Buffer.concat([Buffer.from([comQuery]), Buffer.from(statement)]),
        sent: (client) => {
          this.answerToLose = undefined;
          client.once('close', () => (clearTimeout(timer), resolve()));
        },
      };
    });
  }

  /** As the server down: every connection is cut and nothing listens on the port (a new connection is refused, ECONNREFUSED) until `recover()`. */
  async down(): Promise<void> {
    this.restart();
    await new Promise<void>((resolve) => this.listener.close(() => resolve()));
  }

  /** The server is back: connections are accepted and forwarded again (on the same port, after `down()`). */
  async recover(): Promise<void> {
    this.refusing = false;
    this.answeringFull = false;
    this.paused = false;
    if (!this.listener.listening) await new Promise<void>((resolve) => this.listener.listen(this.port, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.restart();
    if (this.listener.listening) await new Promise<void>((resolve) => this.listener.close(() => resolve()));
  }

  private accept(client: net.Socket, target: { host: string; port: number }): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    if (this.answeringFull) {
      client.on('error', () => undefined);
      client.end(tooManyConnections);
      return;
    }
    const server = net.connect(target.port, target.host);
    const pair = { client, server };
    this.pairs.add(pair);
    const close = () => {
      this.pairs.delete(pair);
      client.destroy();
      server.destroy();
    };
    client.on('error', close).on('close', close);
    server.on('error', close).on('close', close);
    let losingAnswer = false;
    client.on('data', (chunk: Buffer) => {
      if (this.paused) return void (this.heldBytes += chunk.length);
      if (this.answerToLose && chunk.includes(this.answerToLose.statement)) {
        this.answerToLose.sent(client);
        losingAnswer = true;
      }
      server.write(chunk);
    });
    server.on('data', (chunk: Buffer) => (losingAnswer ? close() : client.write(chunk)));
  }
}

/** The command byte of a statement sent as text (COM_QUERY), before its SQL. */
const comQuery = 0x03;

/**
 * The packet a MySQL or MariaDB server at its max_connections sends a new connection instead of its
 * handshake: an ERR packet (0xff), error 1040 (ER_CON_COUNT_ERROR), and its message, without the
 * SQL state a client that has not yet said it speaks protocol 4.1 is not sent.
 */
const tooManyConnections = (() => {
  const message = Buffer.from('Too many connections');
  const payload = Buffer.concat([Buffer.from([0xff, 1040 & 0xff, 1040 >> 8]), message]);
  // Packet header: the payload's length (3 bytes, little-endian) and sequence number 0.
  return Buffer.concat([Buffer.from([payload.length & 0xff, (payload.length >> 8) & 0xff, payload.length >> 16, 0]), payload]);
})();
