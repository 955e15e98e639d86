/**
 * One viewer page's WebSocket: the cameras it watches, each delivered by the
 * shared policy (`FrameDelivery`, the same newest-frame / skip / re-send /
 * placeholder rules as MJPEG), and acknowledged by the page once drawn. A
 * camera is ready for its next frame when the page acknowledged the previous
 * one and the socket's own buffer is small, so a page never has more than one
 * frame in flight per camera, however slowly it draws. Every frame sent is
 * reported through the camera's `ViewerLease`, so `/status` counts the page.
 *
 * Page → gateway, JSON text: `{"type":"watch","cameras":["NAME",…]}` (the whole
 * set; sent again to change it), `{"type":"ack","camera":N}` (N: the camera's
 * position in the gateway's list, as in the frame header). Gateway → page:
 * binary frame messages (`src/stream/viewer-message.ts`), and JSON text
 * `{"type":"status","status":{…}}` (the `/status` body) and
 * `{"type":"error","error":"…",…}` (a message it could not use).
 */
import type { RawData, WebSocket } from 'ws';
import type { CameraHandle, ViewerLease } from '../camera/handle.js';
import { FrameDelivery, type Send } from '../stream/delivery.js';
import type { ViewerMessages } from '../stream/viewer-message.js';
import { errorBody } from './errors.js';

/** A camera as the page's socket sees it. */
export interface PageCamera {
  readonly handle: CameraHandle;
  readonly messages: ViewerMessages;
}

export interface ViewerPageOptions {
  /** Every camera, in the gateway's order (the frame header's camera number is the position here). */
  /** The gateway's cameras now, in order (a relay's list grows as cameras appear on the bus). */
  readonly cameras: () => readonly PageCamera[];
  /** The camera called `name`; throws an error with a kind (`errors.ts` words it) when there is none. */
  readonly byName: (name: string) => CameraHandle;
  /** Shown while a camera is offline or has sent nothing yet. */
  readonly placeholder: Uint8Array;
  /** Re-send a still camera's frame (or the placeholder) after this long, ms. */
  readonly resendMs: number;
  /** A camera waits while the socket holds more than this many unsent bytes. */
  readonly maxBufferedBytes: number;
  /** Remote address:port, for `/status`. */
  readonly remote?: string;
}

/** What the page may say. */
export type PageMessage =
  | { readonly type: 'watch'; readonly cameras: readonly string[] }
  | { readonly type: 'ack'; readonly camera: number };

/** Read one text message from the page; throws a TypeError saying what is wrong with it. */
export function parsePageMessage(text: string): PageMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TypeError('messages must be JSON, e.g. {"type":"watch","cameras":["cam0"]}');
  }
  const fields = (typeof value === 'object' && value !== null ? value : {}) as Readonly<
    Record<string, unknown>
  >;
  if (fields.type === 'watch') {
    const names = fields.cameras;
    if (!Array.isArray(names) || !names.every((n): n is string => typeof n === 'string')) {
      throw new TypeError('"watch" needs "cameras": a list of camera names');
    }
    return { type: 'watch', cameras: names };
  }
  if (fields.type === 'ack') {
    const camera = fields.camera;
    if (typeof camera !== 'number' || !Number.isInteger(camera) || camera < 0) {
      throw new TypeError('"ack" needs "camera": the camera number of the frame drawn');
    }
    return { type: 'ack', camera };
  }
  throw new TypeError(`unknown message type ${JSON.stringify(fields.type)} (use "watch" or "ack")`);
}

/** One watched camera: its delivery, its lease, and whether a frame awaits the page's ack. */
interface Watch {
  readonly delivery: FrameDelivery;
  readonly lease: ViewerLease;
  awaitingAck: boolean;
}

export class ViewerPage {
  readonly #ws: WebSocket;
  readonly #options: ViewerPageOptions;
  readonly #watches = new Map<number, Watch>();
  /** A camera found the socket's buffer too full: wake the cameras when it drains. */
  #blocked = false;
  /** A pong (or any message) came since the last ping. */
  #alive = true;
  #closed = false;

  constructor(ws: WebSocket, options: ViewerPageOptions) {
    this.#ws = ws;
    this.#options = options;
    ws.on('message', (data: RawData, isBinary: boolean) => this.#onMessage(data, isBinary));
    ws.on('pong', () => {
      this.#alive = true;
    });
  }

  /** Push a status text unless the socket is backed up (the next one will do). */
  sendText(text: string): void {
    const ws = this.#ws;
    if (this.#closed || ws.readyState !== ws.OPEN || ws.bufferedAmount > this.#options.maxBufferedBytes)
      return;
    ws.send(text, this.#onWritten);
  }

  /** Ping the page; one that did not answer the previous ping is cut off. */
  heartbeat(): void {
    if (this.#closed) return;
    if (!this.#alive) {
      this.#ws.terminate();
      return;
    }
    this.#alive = false;
    this.#ws.ping();
  }

  /** Stop every delivery and release every lease (the socket closed, or the gateway stops). Idempotent. */
  dispose(): void {
    this.#closed = true;
    for (const camera of [...this.#watches.keys()]) this.#unwatch(camera);
  }

  #onMessage(data: RawData, isBinary: boolean): void {
    this.#alive = true;
    if (this.#closed) return;
    try {
      if (isBinary) throw new TypeError('expected JSON text messages, got a binary one');
      const message = parsePageMessage(data.toString());
      if (message.type === 'watch') this.#watch(message.cameras);
      else this.#ack(message.camera);
    } catch (err) {
      const body = err instanceof TypeError ? { error: err.message } : errorBody(err).body;
      this.sendText(JSON.stringify({ type: 'error', ...body }));
    }
  }

  #watch(names: readonly string[]): void {
    const handles = names.map((name) => this.#options.byName(name)); // throws on an unknown name: nothing changes
    const cameras = this.#options.cameras();
    const wanted = new Set(handles.map((h) => cameras.findIndex((c) => c.handle === h)));
    for (const camera of [...this.#watches.keys()]) if (!wanted.has(camera)) this.#unwatch(camera);
    for (const camera of wanted) if (!this.#watches.has(camera)) this.#startWatch(camera);
  }

  #ack(camera: number): void {
    const watch = this.#watches.get(camera);
    if (!watch) return; // no longer watched: nothing to resume
    watch.awaitingAck = false;
    watch.delivery.wake();
  }

  #startWatch(index: number): void {
    const options = this.#options;
    const camera = options.cameras()[index]!;
    const handle = camera.handle;
    const ws = this.#ws;
    const lease = handle.attachViewer({
      kind: 'stream',
      ...(options.remote !== undefined ? { remote: options.remote } : {}),
    });
    const delivery: FrameDelivery = new FrameDelivery(
      handle.ring,
      { online: () => handle.online, placeholder: options.placeholder, resendMs: options.resendMs },
      {
        ready: () => {
          if (watch.awaitingAck || ws.readyState !== ws.OPEN) return false;
          if (ws.bufferedAmount <= options.maxBufferedBytes) return true;
          this.#blocked = true;
          return false;
        },
        send: (what: Send) => {
          const isFrame = what.kind === 'frame';
          const message = isFrame
            ? camera.messages.frame(what.entry)
            : camera.messages.placeholder(options.placeholder);
          watch.awaitingAck = true;
          ws.send(message, { binary: true }, this.#onWritten);
          lease.frameSent(isFrame ? what.entry.frame.length : options.placeholder.length);
        },
        // The ring closed (the gateway stops): the socket is closed with it.
        end: () => {},
        fail: (error) => ws.close(1011, error.message.slice(0, 120)),
      },
    );
    const watch: Watch = { delivery, lease, awaitingAck: false };
    this.#watches.set(index, watch);
    delivery.start();
  }

  #unwatch(camera: number): void {
    const watch = this.#watches.get(camera);
    if (!watch) return;
    this.#watches.delete(camera);
    watch.delivery.stop();
    watch.lease.release();
  }

  /** A message left for the kernel: cameras held back by a full buffer may go on. */
  readonly #onWritten = (): void => {
    if (!this.#blocked || this.#ws.bufferedAmount > this.#options.maxBufferedBytes) return;
    this.#blocked = false;
    for (const watch of this.#watches.values()) watch.delivery.wake();
  };
}
