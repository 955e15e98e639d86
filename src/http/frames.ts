/**
 * The frame routes: the MJPEG stream and the snapshot of one camera, and the
 * bookkeeping of open streams (counted in `/status`, all ended at once when the
 * gateway stops). On Node the stream is written to the socket directly
 * (`streamMjpegToNode`); elsewhere (`app.request()`, other runtimes) it is a Web
 * `Response` (`mjpegResponse`). Both use the one delivery policy.
 */
import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';
import type { CameraHandle, ViewerMeta, ViewerPacing } from '../camera/handle.js';
import type { FreshnessStats } from '../stream/freshness.js';
import { formatTimestamp, MJPEG_HEADERS, NO_CACHE_HEADERS } from '../stream/mjpeg-format.js';
import { NO_SIGNAL_JPEG } from '../stream/no-signal.js';
import { streamMjpegToNode } from '../stream/node-writer.js';
import type { RingbufferEntry } from '../stream/ring-buffer.js';
import { waitForNewerFrame } from '../stream/wait.js';
import { mjpegResponse } from '../stream/web-writer.js';
import { ApiError } from './errors.js';
import { parseFlag, parseFps, parseOptionalFlag } from './params.js';

/** @hono/node-server's marker header for "the handler wrote the response itself". */
export const ALREADY_SENT = 'x-hono-already-sent';

export interface FrameRoutesOptions {
  /** `?fresh=1` wait, ms. */
  snapshotTimeoutMs: number;
  /** Re-send/no-signal period, ms. */
  stillResendMs: number;
  /** The `--cors` origin, if any (streams then vary by Origin). */
  cors?: string;
  /** Pace each stream client to what it reads (`streamMjpegToNode`'s `pacing`); default true. */
  pacing?: boolean;
}

interface OpenStream {
  readonly stop: AbortController;
  readonly outgoing: HttpBindings['outgoing'] | undefined;
  end(): void;
}

export function nodeBindings(c: Context): Partial<HttpBindings> {
  return (c.env as Partial<HttpBindings> | undefined) ?? {};
}

/** True when the request came over HTTP/2: one stream of a shared connection, which takes no connection headers. */
export function isHttp2(c: Context): boolean {
  return nodeBindings(c).incoming?.httpVersionMajor === 2;
}

export function remoteOf(c: Context): string | undefined {
  const socket = nodeBindings(c).incoming?.socket;
  if (!socket?.remoteAddress) return undefined;
  return `${socket.remoteAddress}:${socket.remotePort}`;
}

/** A signal aborted when any source aborts; `dispose()` unhooks it (AbortSignal.any keeps links on long-lived sources). */
export function linkedSignal(...sources: AbortSignal[]): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  for (const source of sources) {
    if (source.aborted) controller.abort();
    else source.addEventListener('abort', abort, { once: true });
  }
  return {
    signal: controller.signal,
    dispose: () => {
      for (const source of sources) source.removeEventListener('abort', abort);
    },
  };
}

function frameHeaders(entry: RingbufferEntry): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': 'image/jpeg',
    'Content-Length': String(entry.frame.length),
    'X-Timestamp': formatTimestamp(entry.timestamp),
    'X-Frame-Index': String(entry.index),
    ...NO_CACHE_HEADERS,
  };
  if (entry.deviceTimeUs !== undefined) headers['X-Device-Time-Us'] = String(entry.deviceTimeUs);
  return headers;
}

/** Safari and every iOS browser (WebKit, not Blink): they paint the last part of a series late. */
function isWebKit(userAgent: string | undefined): boolean {
  return (
    userAgent !== undefined && /AppleWebKit\//.test(userAgent) && !/(?:Chrome|Chromium)\//.test(userAgent)
  );
}

function pacingOf(stats: FreshnessStats): ViewerPacing {
  return stats.readFps !== undefined ? { mode: stats.mode, readFps: stats.readFps } : { mode: stats.mode };
}

function viewerMeta(c: Context, kind: ViewerMeta['kind'], fpsCap?: number): ViewerMeta {
  const meta: ViewerMeta = { kind };
  const remote = remoteOf(c);
  if (remote !== undefined) meta.remote = remote;
  if (fpsCap !== undefined) meta.fpsCap = fpsCap;
  return meta;
}

export class FrameRoutes {
  readonly #options: FrameRoutesOptions;
  readonly #shutdown = new AbortController();
  readonly #streams = new Set<OpenStream>();

  constructor(options: FrameRoutesOptions) {
    this.#options = options;
  }

  /** MJPEG responses currently open. */
  get openStreams(): number {
    return this.#streams.size;
  }

  /** Aborted once the gateway stops. */
  get shutdownSignal(): AbortSignal {
    return this.#shutdown.signal;
  }

  /** End every open stream now; new stream and snapshot requests get 503. Idempotent. */
  close(): void {
    this.#shutdown.abort();
    for (const record of [...this.#streams]) {
      record.stop.abort();
      // A client that stopped reading would hold its stream open until it drains: cut it off.
      // (The body is written to the socket directly: its backpressure is the one that counts.)
      const out = record.outgoing;
      if (out?.writableNeedDrain || out?.socket?.writableNeedDrain) out?.destroy();
      record.end();
    }
  }

  stream(c: Context, camera: CameraHandle): Response {
    const fpsCap = parseFps(c);
    const advanceHeaders = parseFlag(c, 'advance_headers');
    const dualFinal = parseOptionalFlag(c, 'dual_final_frames') ?? isWebKit(c.req.header('user-agent'));
    this.#refuseWhenClosed();
    const http2 = isHttp2(c);
    const headers: Record<string, string> = http2
      ? { ...MJPEG_HEADERS }
      : { ...MJPEG_HEADERS, Connection: 'close' };
    if (c.req.method === 'HEAD') return new Response(null, { headers });
    const { outgoing } = nodeBindings(c);
    const lease = camera.attachViewer(viewerMeta(c, 'stream', fpsCap));
    let ended = false;
    const record: OpenStream = {
      stop: new AbortController(),
      outgoing,
      end: () => {
        if (ended) return;
        ended = true;
        this.#streams.delete(record);
        lease.release();
      },
    };
    this.#streams.add(record);
    const options = {
      online: () => camera.online,
      placeholder: NO_SIGNAL_JPEG,
      resendMs: this.#options.stillResendMs,
      dualFinal,
      signal: record.stop.signal,
      advanceHeaders,
      onFrame: (bytes: number) => lease.frameSent(bytes),
      onConsumed: (ageSeconds: number) => lease.frameConsumed(ageSeconds),
      onPacer: (stats: (() => FreshnessStats) | undefined) => {
        if (stats) lease.pacingFrom(() => pacingOf(stats()));
      },
      pacing: this.#options.pacing !== false,
      onEnd: record.end,
      ...(fpsCap !== undefined ? { fpsCap } : {}),
    };
    // HTTP/2 has no socket per response to write to: the Web writer, whose reads @hono/node-server paces by 'drain'.
    if (!outgoing || http2) return mjpegResponse(camera.ring, { ...options, headers });
    // On Node, write to the socket directly from the ring's add(): no Web stream, no promise or timer per
    // frame, each part built once for all clients (bench/fanout). Headers set by middleware (CORS) go out too.
    const head = new Headers(c.res.headers);
    for (const [key, value] of Object.entries(headers)) head.set(key, value);
    if (this.#options.cors !== undefined && this.#options.cors !== '*') head.set('Vary', 'Origin');
    // No chunked transfer coding: the body is raw multipart until the connection closes (mjpg-streamer
    // style), which the simplest MJPEG clients expect.
    outgoing.removeHeader('transfer-encoding');
    const headRecord: Record<string, string> = {};
    head.forEach((value, key) => {
      headRecord[key] = value;
    });
    outgoing.writeHead(200, headRecord);
    // Each part goes out at once, never held back by Nagle's algorithm waiting for an ACK.
    outgoing.socket?.setNoDelay(true);
    outgoing.flushHeaders();
    void streamMjpegToNode(camera.ring, outgoing, options);
    // Tells @hono/node-server the response is already being written (its RESPONSE_ALREADY_SENT, one per request).
    return new Response(null, { headers: { [ALREADY_SENT]: 'true' } });
  }

  async snapshot(c: Context, camera: CameraHandle): Promise<Response> {
    const fresh = parseFlag(c, 'fresh');
    const noFrame = (): ApiError =>
      new ApiError(503, `camera "${camera.name}" has not sent a frame yet`, { camera: camera.name });
    if (c.req.method === 'HEAD') {
      const latest = camera.ring.latest();
      if (!latest) throw noFrame();
      return new Response(null, { headers: frameHeaders(latest) });
    }
    this.#refuseWhenClosed();
    const lease = camera.attachViewer(viewerMeta(c, 'snapshot'));
    try {
      let entry = camera.ring.latest();
      if (fresh) {
        const timeoutMs = this.#options.snapshotTimeoutMs;
        const linked = linkedSignal(this.#shutdown.signal, c.req.raw.signal);
        const got = await waitForNewerFrame(camera.ring, entry?.index ?? -1, timeoutMs, linked.signal);
        linked.dispose();
        if (got === 'timeout') {
          throw new ApiError(504, `no new frame from camera "${camera.name}" within ${timeoutMs} ms`, {
            camera: camera.name,
          });
        }
        if (got === 'aborted' || got === 'closed') throw new ApiError(503, 'the gateway is shutting down');
        entry = got;
      }
      if (!entry) throw noFrame();
      lease.frameSent(entry.frame.length);
      // The shared Buffer itself, not a copy (Node Buffers are backed by a plain ArrayBuffer).
      return new Response(entry.frame as Uint8Array<ArrayBuffer>, { headers: frameHeaders(entry) });
    } finally {
      lease.release();
    }
  }

  #refuseWhenClosed(): void {
    if (this.#shutdown.signal.aborted) throw new ApiError(503, 'the gateway is shutting down');
  }
}
