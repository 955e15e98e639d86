/**
 * A cap on open HTTP connections. Without one, a client that opens connections until the
 * process reaches its open-file limit gets every later connection reset in Node's accept
 * path, with nothing logged, and so does everyone else. With it, a connection beyond the cap
 * is answered `503` JSON (`Connection: close`, `Retry-After`), the process keeps descriptors
 * in hand for its ports and files, and the log says so once (again at most once a minute,
 * with a count, while it lasts). A few refused connections are answered at a time; past
 * that they are closed at once, so refusing costs bounded descriptors and memory too.
 */
import type { Socket } from 'node:net';
import type { Http2Bindings, HttpBindings } from '@hono/node-server';
import type { Logger } from '../log.js';
import { ApiError, errorJson } from './errors.js';

/** The default cap never goes above this: past it memory, not descriptors, is the limit. */
export const MAX_DEFAULT_CLIENTS = 4096;
/** Descriptors kept for the process itself (stdio, epoll, libuv, ports, files) at most. */
const RESERVED_FDS = 64;
/** Refused connections answered at a time; more are closed without an answer. */
const MAX_REFUSING = 8;
/** A refused connection that sends no request in this long is closed. */
const REFUSED_IDLE_MS = 2000;
/** Shortest time between two log lines about refusals. */
const LOG_EVERY_MS = 60_000;

/** The open-file limit assumed when it cannot be read (Linux's usual soft limit). */
const USUAL_OPEN_FILE_LIMIT = 1024;

/**
 * The default cap for an open-file limit: the limit less what the process keeps for itself
 * (64 descriptors, or half the limit when it is lower than 128), at most 4096, at least 1.
 */
export function defaultMaxClients(openFileLimit = USUAL_OPEN_FILE_LIMIT): number {
  const reserve = Math.min(RESERVED_FDS, Math.floor(openFileLimit / 2));
  return Math.max(1, Math.min(MAX_DEFAULT_CLIENTS, openFileLimit - reserve));
}

export interface CapChoice {
  readonly max: number;
  /** What to log about it, once, at start. */
  readonly note: { readonly level: 'debug' | 'info' | 'warn'; readonly message: string };
}

/**
 * The cap in force: `given` (`--max-clients`) or the default for the open-file limit, and a
 * note for the log — a warning when `given` leaves too few descriptors (connections past the
 * limit are then reset, not answered), the limit when it is unknown (`unknownReason`).
 */
export function chooseCap(
  given: number | undefined,
  limit: number | undefined,
  unknownReason = '',
): CapChoice {
  const max = given ?? defaultMaxClients(limit);
  const serving = `serving at most ${max} connections at a time`;
  if (limit === undefined) {
    return {
      max,
      note: { level: 'info', message: `open-file limit unknown (${unknownReason}): ${serving}` },
    };
  }
  const room = defaultMaxClients(limit);
  if (max > room) {
    const message = `--max-clients ${max} is more than the open-file limit (${limit}) leaves for connections (${room}): past that, new connections are reset instead of answered 503`;
    return { max, note: { level: 'warn', message } };
  }
  return { max, note: { level: 'debug', message: `${serving} (open-file limit ${limit})` } };
}

type Fetch = (request: Request, env: HttpBindings | Http2Bindings) => Response | Promise<Response>;

export class ConnectionCap {
  readonly max: number;
  readonly #log: Logger;
  readonly #refusing = new WeakSet<Socket>();
  #open = 0;
  #answering = 0;
  #refused = 0;
  #refusedSinceLog = 0;
  #loggedAt = Number.NEGATIVE_INFINITY;

  constructor(options: { max: number; logger: Logger }) {
    if (!Number.isSafeInteger(options.max) || options.max < 1) {
      throw new TypeError(`"maxConnections" must be a whole number ≥ 1, got ${options.max}`);
    }
    this.max = options.max;
    this.#log = options.logger;
  }

  /** Connections admitted and still open. */
  get open(): number {
    return this.#open;
  }

  /** Connections refused so far (answered 503 or closed). */
  get refused(): number {
    return this.#refused;
  }

  /** Call on the server's `connection` event: admit the socket, or mark it for a 503 (or close it). */
  accept(socket: Socket): void {
    if (this.#open < this.max) {
      this.#open++;
      socket.once('close', () => this.#open--);
      return;
    }
    this.#note();
    if (this.#answering >= MAX_REFUSING) {
      socket.destroy();
      return;
    }
    this.#answering++;
    this.#refusing.add(socket);
    socket.once('close', () => this.#answering--);
    socket.setTimeout(REFUSED_IDLE_MS, () => socket.destroy());
  }

  /** `fetch` with refused connections answered 503 before any route runs. */
  wrap(fetch: Fetch): Fetch {
    return (request, env) => {
      if (!this.#refusing.has(env.incoming.socket)) return fetch(request, env);
      const error = new ApiError(
        503,
        `too many open connections: this gateway serves at most ${this.max} at a time (--max-clients); try again later`,
      );
      return errorJson(error, { Connection: 'close', 'Retry-After': '5' });
    };
  }

  #note(): void {
    this.#refused++;
    this.#refusedSinceLog++;
    const now = performance.now();
    if (now - this.#loggedAt < LOG_EVERY_MS) return;
    this.#log.warn(
      this.#loggedAt === Number.NEGATIVE_INFINITY
        ? `${this.max} connections open, the most allowed (--max-clients): answering new ones 503`
        : `still at the connection cap (${this.max}): ${this.#refusedSinceLog} connections refused since the last note`,
    );
    this.#loggedAt = now;
    this.#refusedSinceLog = 0;
  }
}
