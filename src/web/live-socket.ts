/**
 * The page's one WebSocket to the gateway (`ws`, relative to the page): it
 * says which cameras the page shows, hands on each frame and each status the
 * gateway pushes, sends the page's acknowledgements, and reconnects with a
 * backoff (0.5 s doubling to 15 s; back to 0.5 s after a connection that
 * lasted) whenever it closes or cannot open. A socket counts as working once
 * the gateway spoke through it (it pushes the status at once): a proxy that
 * accepts the handshake and then drops the connection counts as blocking it.
 */
import {
  ackMessage,
  type FrameMessage,
  parseFrameMessage,
  parseServerText,
  watchMessage,
} from './frame-message.js';

export interface LiveSocketEvents {
  /** The gateway spoke through the socket: frames and status come through it from now on. */
  open(): void;
  /** A picture for a camera; call `ack(message.camera)` once it is drawn. */
  frame(message: FrameMessage): void;
  /** A `/status` body pushed by the gateway. */
  status(body: unknown): void;
  /** The socket closed after working, or never worked (`opened` says which); it tries again by itself. */
  down(opened: boolean, why: string): void;
}

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 15_000;
/** A handshake still pending after this long counts as failed (a proxy that holds it). */
const OPEN_TIMEOUT_MS = 5000;
/** A connection that stayed open this long resets the backoff. */
const STABLE_MS = 5000;

/** `ws` next to the page, as a `ws:`/`wss:` URL. */
export function socketUrl(page: string): string {
  const url = new URL('ws', page);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = '';
  url.hash = '';
  return url.href;
}

export class LiveSocket {
  readonly #url: string;
  #cameras: readonly string[];
  readonly #events: LiveSocketEvents;
  #ws: WebSocket | undefined;
  #retryMs = FIRST_RETRY_MS;

  constructor(url: string, cameras: readonly string[], events: LiveSocketEvents) {
    this.#url = url;
    this.#cameras = cameras;
    this.#events = events;
  }

  connect(): void {
    const ws = new WebSocket(this.#url);
    ws.binaryType = 'arraybuffer';
    this.#ws = ws;
    let openedAt: number | undefined;
    const timeout = setTimeout(() => ws.close(), OPEN_TIMEOUT_MS);
    ws.addEventListener('open', () => ws.send(watchMessage(this.#cameras)));
    ws.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (openedAt === undefined) {
        clearTimeout(timeout);
        openedAt = performance.now();
        this.#events.open();
      }
      this.#onMessage(event.data);
    });
    ws.addEventListener('close', (event: CloseEvent) => {
      clearTimeout(timeout);
      if (this.#ws === ws) this.#ws = undefined;
      const opened = openedAt !== undefined;
      if (opened && performance.now() - openedAt! >= STABLE_MS) this.#retryMs = FIRST_RETRY_MS;
      const why = opened
        ? `connection closed (${event.code}${event.reason ? ` ${event.reason}` : ''})`
        : 'cannot connect';
      this.#events.down(opened, why);
      setTimeout(() => this.connect(), this.#retryMs);
      this.#retryMs = Math.min(this.#retryMs * 2, MAX_RETRY_MS);
    });
  }

  /** Change which cameras the page wants frames of (all of them, or none while the tab is hidden). */
  watch(cameras: readonly string[]): void {
    this.#cameras = cameras;
    const ws = this.#ws;
    if (ws !== undefined && ws.readyState === ws.OPEN) ws.send(watchMessage(cameras));
  }

  /** Tell the gateway camera `camera`'s frame is drawn (it then sends that camera's next). */
  ack(camera: number): void {
    const ws = this.#ws;
    if (ws !== undefined && ws.readyState === ws.OPEN) ws.send(ackMessage(camera));
  }

  #onMessage(data: unknown): void {
    if (data instanceof ArrayBuffer) {
      const frame = parseFrameMessage(data);
      if (frame) this.#events.frame(frame);
      return;
    }
    if (typeof data !== 'string') return;
    const message = parseServerText(data);
    if (message.type === 'status') this.#events.status(message.status);
    else if (message.type === 'error') console.warn(`cam-gateway: ${message.error}`);
  }
}
