/**
 * One NATS connection with the habits the gateway needs: reconnect forever
 * (quickly: a cluster node dying costs a fraction of a second), say when it is
 * up (first connect and every reconnect) and down, and log that in one line
 * per event without ever printing credentials. An origin starts it in the
 * background (`start()`: retries until the bus is there, HTTP never waits); a
 * relay, which has nothing to serve without it, connects first (`open()`).
 */
import { AuthorizationError, connect, type NatsConnection, type Status } from '@nats-io/transport-node';
import type { Logger } from '../../log.js';
import { type BusAddress, describeBus } from './address.js';

/** Wait between reconnect attempts to a server already tried; other servers are tried at once. */
const RECONNECT_WAIT_MS = 250;
/** How long one connect attempt may take. */
const CONNECT_TIMEOUT_MS = 2000;
/** Wait between first-connect attempts while the bus is unreachable. */
const RETRY_MS = 1000;

export interface BusEvents {
  /** Connected: the first time and after every reconnect (subscriptions are back, streams may need setting up). */
  up(nc: NatsConnection): void;
  /** Lost the server (the client is reconnecting on its own). */
  down?(): void;
}

export class BusConnection {
  readonly address: BusAddress;
  readonly #name: string;
  readonly #log: Logger;
  readonly #events: BusEvents;
  #nc: NatsConnection | undefined;
  #connected = false;
  #closed = false;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #complained = false;

  constructor(address: BusAddress, name: string, logger: Logger, events: BusEvents) {
    this.address = address;
    this.#name = name;
    this.#log = logger;
    this.#events = events;
  }

  /** The connection once made (it stays the same object across reconnects). */
  get nc(): NatsConnection | undefined {
    return this.#nc;
  }

  /** True while a server is connected. */
  get connected(): boolean {
    return this.#connected;
  }

  /** Largest message the connected server takes, bytes (headers included). */
  get maxPayload(): number | undefined {
    return this.#nc?.info?.max_payload;
  }

  /** Connect once now; rejects with one line (unreachable, refused credentials). */
  async open(): Promise<void> {
    try {
      this.#attach(await this.#connect());
    } catch (err) {
      throw new Error(this.#why(err));
    }
  }

  /** Connect in the background, retrying every second until the bus is there; never rejects. */
  start(): void {
    if (this.#closed || this.#nc) return;
    this.#connect().then(
      (nc) => {
        if (this.#closed) {
          void nc.close();
          return;
        }
        this.#attach(nc);
      },
      (err: unknown) => {
        if (this.#closed) return;
        if (!this.#complained) {
          this.#complained = true;
          this.#log.warn(`${this.#why(err)}; retrying every second (the local HTTP service is not affected)`);
        }
        this.#retry = setTimeout(() => this.start(), RETRY_MS);
      },
    );
  }

  /** Flush what was published, close. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    const nc = this.#nc;
    this.#connected = false;
    if (!nc || nc.isClosed()) return;
    await nc.flush().catch(() => {});
    await nc.close().catch(() => {});
  }

  #connect(): Promise<NatsConnection> {
    const a = this.address;
    return connect({
      servers: [...a.servers],
      name: this.#name,
      ...(a.user !== undefined ? { user: a.user, pass: a.pass ?? '' } : {}),
      ...(a.token !== undefined ? { token: a.token } : {}),
      maxReconnectAttempts: -1,
      reconnectTimeWait: RECONNECT_WAIT_MS,
      reconnectJitter: 100,
      timeout: CONNECT_TIMEOUT_MS,
      pingInterval: 5000,
      maxPingOut: 2,
      noAsyncTraces: true,
    });
  }

  #why(err: unknown): string {
    const where = describeBus(this.address);
    if (err instanceof AuthorizationError) return `the NATS server at ${where} refused the credentials`;
    const message = err instanceof Error ? err.message : String(err);
    return `cannot reach NATS at ${where}: ${message}`;
  }

  #attach(nc: NatsConnection): void {
    this.#nc = nc;
    this.#connected = true;
    this.#complained = false;
    this.#log.info(`connected to ${nc.getServer()} (max_payload ${nc.info?.max_payload ?? '?'} bytes)`);
    void this.#watch(nc);
    this.#events.up(nc);
  }

  async #watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) this.#onStatus(nc, s);
  }

  #onStatus(nc: NatsConnection, s: Status): void {
    switch (s.type) {
      case 'disconnect':
        this.#connected = false;
        if (!this.#closed) this.#log.warn(`lost ${s.server}; reconnecting`);
        this.#events.down?.();
        break;
      case 'reconnect':
        this.#connected = true;
        this.#log.info(`reconnected to ${s.server}`);
        this.#events.up(nc);
        break;
      case 'error':
        this.#log.warn(`bus error: ${s.error.message}`);
        break;
      case 'close':
        this.#connected = false;
        break;
      default:
        break;
    }
  }
}
