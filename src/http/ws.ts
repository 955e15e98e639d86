/**
 * The viewer page's WebSocket (`GET /ws`): one socket per page carries every
 * camera's frames (binary, acknowledged by the page once drawn) and the
 * `/status` body pushed once a second, so a page of many cameras needs one
 * connection instead of one per camera (browsers allow ~6 per host). The
 * handshake is an ordinary request of the app (`upgrade.ts`): `--auth` and the
 * error answers are those of every route. Browsers send cookies and cached
 * Basic credentials with a WebSocket handshake from any site, so a handshake
 * from another origin is refused unless `--cors` allows that origin.
 *
 * Built on `ws` (`noServer`: the handshake is accepted here, after the app's
 * middleware), with incoming messages capped at `MAX_PAGE_MESSAGE_BYTES`, no
 * compression (JPEGs do not shrink), and a ping every `heartbeatMs` that cuts
 * off a page that stopped answering.
 */
import type { Context } from 'hono';
import { type WebSocket, WebSocketServer } from 'ws';
import type { CameraHandle } from '../camera/handle.js';
import { ViewerMessages } from '../stream/viewer-message.js';
import { ApiError } from './errors.js';
import { ALREADY_SENT, nodeBindings, remoteOf } from './frames.js';
import { claimUpgrade, isPendingUpgrade } from './upgrade.js';
import { type PageCamera, ViewerPage } from './ws-page.js';

/** The largest message a page may send (a watch list of every camera fits many times over). */
export const MAX_PAGE_MESSAGE_BYTES = 16 * 1024;
/** A camera waits for its next frame while the socket holds more than this many unsent bytes. */
export const MAX_BUFFERED_BYTES = 256 * 1024;

export interface ViewerSocketsOptions {
  /** Every camera, in the gateway's order. */
  /** The gateway's cameras now, in order: a frame message names a camera by its position here. */
  readonly cameras: () => readonly CameraHandle[];
  /** The camera called `name`; throws (an `ApiError` naming the known cameras) when there is none. */
  readonly byName: (name: string) => CameraHandle;
  /** The `/status` body. */
  readonly status: () => unknown;
  /** Shown while a camera is offline or has sent nothing yet. */
  readonly placeholder: Uint8Array;
  /** Re-send/no-signal period, ms. */
  readonly resendMs: number;
  /** The `--cors` origin: handshakes from it are accepted too (`*`: from anywhere). */
  readonly cors?: string;
  /** Status push period, ms. Default 1000. */
  readonly statusMs?: number;
  /** Ping period, ms; a page that misses a ping is cut off at the next. Default 30000. */
  readonly heartbeatMs?: number;
}

/** The handshake comes from a page of this gateway's own origin, from the `--cors` one, or not from a browser. */
function originAllowed(c: Context, cors: string | undefined): boolean {
  const origin = c.req.header('origin');
  if (origin === undefined || cors === '*' || origin === cors) return true;
  try {
    return new URL(origin).host === (c.req.header('host') ?? '').toLowerCase();
  } catch {
    return false;
  }
}

export class ViewerSockets {
  readonly #options: ViewerSocketsOptions;
  /** Per camera, its frame messages (built once per frame for every page), by position. */
  readonly #byHandle = new Map<CameraHandle, PageCamera>();
  readonly #server = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: MAX_PAGE_MESSAGE_BYTES,
    perMessageDeflate: false,
  });
  readonly #pages = new Map<WebSocket, ViewerPage>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #ticks = 0;
  #closed = false;

  constructor(options: ViewerSocketsOptions) {
    this.#options = options;
  }

  /** The cameras as pages see them: each with the message builder for its position. */
  #pageCameras(): PageCamera[] {
    return this.#options.cameras().map((handle, index) => {
      let camera = this.#byHandle.get(handle);
      if (camera?.messages.camera !== index) {
        camera = { handle, messages: new ViewerMessages(index) };
        this.#byHandle.set(handle, camera);
      }
      return camera;
    });
  }

  /** Viewer pages connected now. */
  get openSockets(): number {
    return this.#pages.size;
  }

  /** The `/ws` route: accept the WebSocket handshake (after the app's auth), or say why not. */
  handle(c: Context): Response {
    const { incoming } = nodeBindings(c);
    // Node passes a request on as an upgrade only with both `Upgrade: websocket` and `Connection: Upgrade`.
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket' || (incoming && !isPendingUpgrade(incoming))) {
      c.header('Upgrade', 'websocket');
      throw new ApiError(426, 'this is the viewer page\'s WebSocket: connect with "Upgrade: websocket"');
    }
    if (this.#closed) throw new ApiError(503, 'the gateway is shutting down');
    if (!originAllowed(c, this.#options.cors)) {
      throw new ApiError(
        403,
        `WebSocket from origin ${c.req.header('origin')} refused (allow it with --cors)`,
      );
    }
    const upgrade = claimUpgrade(incoming);
    if (!incoming || !upgrade) {
      throw new ApiError(501, "WebSockets are served only by the gateway's own Node server (listen())");
    }
    const remote = remoteOf(c);
    this.#server.handleUpgrade(incoming, upgrade.socket, upgrade.head, (ws) => this.#open(ws, remote));
    return new Response(null, { headers: { [ALREADY_SENT]: 'true' } });
  }

  /** Close every page's socket (1001, going away) and refuse new ones. Idempotent. */
  close(): void {
    this.#closed = true;
    for (const [ws, page] of [...this.#pages]) {
      page.dispose();
      this.#forget(ws);
      // A page that stopped reading would hold its socket until the close handshake times out.
      if (ws.bufferedAmount > 0) ws.terminate();
      else ws.close(1001, 'the gateway is stopping');
    }
  }

  #open(ws: WebSocket, remote: string | undefined): void {
    if (this.#closed) {
      ws.close(1001, 'the gateway is stopping');
      return;
    }
    const options = this.#options;
    const page = new ViewerPage(ws, {
      cameras: () => this.#pageCameras(),
      byName: options.byName,
      placeholder: options.placeholder,
      resendMs: options.resendMs,
      maxBufferedBytes: MAX_BUFFERED_BYTES,
      ...(remote !== undefined ? { remote } : {}),
    });
    this.#pages.set(ws, page);
    // The socket failing (a protocol error, a message over the cap) closes it; 'close' follows.
    ws.on('error', () => {});
    ws.once('close', () => {
      page.dispose();
      this.#forget(ws);
    });
    page.sendText(this.#statusText());
    this.#timer ??= setInterval(this.#tick, options.statusMs ?? 1000);
  }

  #forget(ws: WebSocket): void {
    this.#pages.delete(ws);
    if (this.#pages.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  #statusText(): string {
    return JSON.stringify({ type: 'status', status: this.#options.status() });
  }

  readonly #tick = (): void => {
    const text = this.#statusText();
    const statusMs = this.#options.statusMs ?? 1000;
    const pingEvery = Math.max(1, Math.round((this.#options.heartbeatMs ?? 30_000) / statusMs));
    const ping = ++this.#ticks % pingEvery === 0;
    for (const page of this.#pages.values()) {
      page.sendText(text);
      if (ping) page.heartbeat();
    }
  };
}
