/**
 * The gateway's HTTP routes as a Hono app: MJPEG stream, snapshot, status and
 * control per camera (the first camera also at the root, mjpg-streamer /
 * uStreamer style, so OctoPrint and Home Assistant work unchanged), plus the
 * viewer page. Testable with `app.request()`; served by `listen()` in server.ts.
 */
import type { HttpBindings } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import { basicAuth } from 'hono/basic-auth';
import { cors } from 'hono/cors';
import { ControlError as SchemaControlError } from '../control/errors.js';
import { type CameraHandle, ControlError } from '../stream/camera-api.js';
import { latestFrames, waitForNewerFrame } from '../stream/latest-frames.js';
import { formatTimestamp, MJPEG_CONTENT_TYPE, mjpegResponse, NO_CACHE_HEADERS } from '../stream/mjpeg.js';
import { pipeLatestMjpeg } from '../stream/mjpeg-push.js';
import type { RingbufferEntry } from '../stream/ring-buffer.js';
import { ApiError, badParameter, errorResponse, notFoundResponse } from './errors.js';
import { NO_SIGNAL_JPEG } from './no-signal.js';
import { viewerAsset, viewerPage } from './viewer.js';

export interface AppOptions {
  /** First = default camera (served at `/stream`, `/snapshot`, `/control`). */
  cameras: readonly CameraHandle[];
  version: string;
  /** Epoch ms, default Date.now(). */
  startedAt?: number;
  auth?: { username: string; password: string };
  /** Allowed origin; CORS off when undefined. */
  cors?: string;
  /** `?fresh=1` wait, default 5000. */
  snapshotTimeoutMs?: number;
  /** Re-send/no-signal period, default 1000. */
  stillResendMs?: number;
}

export interface GatewayApp {
  readonly app: Hono;
  /** MJPEG responses currently open. */
  readonly openStreams: number;
  /** Ends every open stream now (and answers new stream requests 503). Idempotent. */
  close(): void;
}

interface OpenStream {
  readonly stop: AbortController;
  readonly outgoing: HttpBindings['outgoing'] | undefined;
  end(): void;
}

/** @hono/node-server's marker header for "the handler wrote the response itself". */
const ALREADY_SENT = 'x-hono-already-sent';
const FLAG_TRUE = new Set(['', '1', 'true', 'yes', 'on']);
const FLAG_FALSE = new Set(['0', 'false', 'no', 'off']);
const FPS_PATTERN = /^\d+(\.\d+)?$/;
const MAX_FPS = 1000;
const CONTROL_ERROR_STATUS = {
  invalid: 400,
  unsupported: 400,
  busy: 409,
  unavailable: 503,
  offline: 503,
  timeout: 504,
} as const satisfies Record<SchemaControlError['kind'], 400 | 409 | 503 | 504>;

function parseFlag(c: Context, name: string): boolean {
  const raw = c.req.query(name);
  if (raw === undefined) return false;
  const value = raw.toLowerCase();
  if (FLAG_TRUE.has(value)) return true;
  if (FLAG_FALSE.has(value)) return false;
  throw badParameter(name, `"${name}" must be 1 or 0 (true/false), got "${raw}"`);
}

function parseFps(c: Context): number | undefined {
  const raw = c.req.query('fps');
  if (raw === undefined) return undefined;
  const fps = FPS_PATTERN.test(raw) ? Number(raw) : Number.NaN;
  if (!(fps > 0 && fps <= MAX_FPS)) {
    throw badParameter(
      'fps',
      `"fps" must be a number of frames per second > 0 and ≤ ${MAX_FPS}, got "${raw}"`,
    );
  }
  return fps;
}

/** A signal aborted when any source aborts; `dispose()` unhooks it (AbortSignal.any keeps links on long-lived sources). */
function linkedSignal(...sources: AbortSignal[]): { signal: AbortSignal; dispose(): void } {
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

function nodeBindings(c: Context): Partial<HttpBindings> {
  return (c.env as Partial<HttpBindings> | undefined) ?? {};
}

function remoteOf(c: Context): string | undefined {
  const socket = nodeBindings(c).incoming?.socket;
  if (!socket?.remoteAddress) return undefined;
  return `${socket.remoteAddress}:${socket.remotePort}`;
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

async function controlParams(c: Context): Promise<{ variable?: string; value?: string }> {
  let variable = c.req.query('var');
  let value = c.req.query('val');
  if (c.req.method === 'POST') {
    const type = c.req.header('content-type') ?? '';
    let body: Record<string, unknown> = {};
    if (type.includes('application/json')) {
      try {
        const parsed: unknown = await c.req.json();
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
          throw new Error('not an object');
        body = parsed as Record<string, unknown>;
      } catch {
        throw badParameter('body', 'request body must be a JSON object like {"var":"quality","val":"10"}');
      }
    } else if (type.includes('application/x-www-form-urlencoded') || type.includes('multipart/form-data')) {
      body = await c.req.parseBody();
    }
    const field = (name: string): string | undefined => {
      const v = body[name];
      return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
    };
    variable ??= field('var');
    value ??= field('val');
  }
  const out: { variable?: string; value?: string } = {};
  if (variable !== undefined) out.variable = variable;
  if (value !== undefined) out.value = value;
  return out;
}

export function createApp(options: AppOptions): GatewayApp {
  const cameras = [...options.cameras];
  if (cameras.length === 0) throw new TypeError('"cameras" must list at least one camera');
  const byName = new Map<string, CameraHandle>();
  for (const camera of cameras) {
    if (byName.has(camera.name)) throw new TypeError(`camera name "${camera.name}" is used twice`);
    byName.set(camera.name, camera);
  }
  const names = cameras.map((c) => c.name);
  const startedAt = options.startedAt ?? Date.now();
  const snapshotTimeoutMs = options.snapshotTimeoutMs ?? 5000;
  const resendMs = options.stillResendMs ?? 1000;
  const shutdown = new AbortController();
  const streams = new Set<OpenStream>();

  const cameraByName = (name: string): CameraHandle => {
    const camera = byName.get(name);
    if (!camera) {
      throw new ApiError(404, `unknown camera "${name}"; known cameras: ${names.join(', ')}`, {
        cameras: names,
      });
    }
    return camera;
  };

  const refuseWhenClosed = (): void => {
    if (shutdown.signal.aborted) throw new ApiError(503, 'the gateway is shutting down');
  };

  const stream = (c: Context, camera: CameraHandle): Response => {
    const fpsCap = parseFps(c);
    const advanceHeaders = parseFlag(c, 'advance_headers');
    refuseWhenClosed();
    const headers = { 'Content-Type': MJPEG_CONTENT_TYPE, ...NO_CACHE_HEADERS, Connection: 'close' };
    if (c.req.method === 'HEAD') return new Response(null, { headers });
    const { outgoing } = nodeBindings(c);
    const meta: { kind: 'stream'; remote?: string; fpsCap?: number } = { kind: 'stream' };
    const remote = remoteOf(c);
    if (remote !== undefined) meta.remote = remote;
    if (fpsCap !== undefined) meta.fpsCap = fpsCap;
    const lease = camera.attachViewer(meta);
    let ended = false;
    const record: OpenStream = {
      stop: new AbortController(),
      outgoing,
      end: () => {
        if (ended) return;
        ended = true;
        streams.delete(record);
        lease.release();
      },
    };
    streams.add(record);
    const frameOptions: Parameters<typeof latestFrames>[1] = {
      online: () => camera.online,
      placeholder: NO_SIGNAL_JPEG,
      resendMs,
      signal: record.stop.signal,
    };
    if (fpsCap !== undefined) frameOptions.fpsCap = fpsCap;
    const writer = { advanceHeaders, onFrame: (bytes: number) => lease.frameSent(bytes), onEnd: record.end };
    if (!outgoing) return mjpegResponse(latestFrames(camera.ring, frameOptions), { ...writer, headers });
    // On Node, write to the response directly from the ring's add(): no Web stream, no promise or timer per
    // frame, part headers built once per frame for all clients, one corked writev per part (bench/fanout).
    // Headers set by middleware so far (CORS) go out with ours.
    const head = new Headers(c.res.headers);
    for (const [key, value] of Object.entries(headers)) head.set(key, value);
    if (options.cors !== undefined && options.cors !== '*') head.set('Vary', 'Origin');
    // No chunked transfer coding: the body is raw multipart until the connection closes (mjpg-streamer
    // style), which the simplest MJPEG clients expect.
    outgoing.removeHeader('transfer-encoding');
    const headRecord: Record<string, string> = {};
    head.forEach((value, key) => {
      headRecord[key] = value;
    });
    outgoing.writeHead(200, headRecord);
    outgoing.flushHeaders();
    void pipeLatestMjpeg(camera.ring, outgoing, { ...frameOptions, ...writer });
    // Tells @hono/node-server the response is already being written (its RESPONSE_ALREADY_SENT, one per request).
    return new Response(null, { headers: { [ALREADY_SENT]: 'true' } });
  };

  const snapshot = async (c: Context, camera: CameraHandle): Promise<Response> => {
    const fresh = parseFlag(c, 'fresh');
    const noFrame = (): ApiError =>
      new ApiError(503, `camera "${camera.name}" has not sent a frame yet`, { camera: camera.name });
    if (c.req.method === 'HEAD') {
      const latest = camera.ring.latest();
      if (!latest) throw noFrame();
      return new Response(null, { headers: frameHeaders(latest) });
    }
    refuseWhenClosed();
    const meta: { kind: 'snapshot'; remote?: string } = { kind: 'snapshot' };
    const remote = remoteOf(c);
    if (remote !== undefined) meta.remote = remote;
    const lease = camera.attachViewer(meta);
    try {
      let entry = camera.ring.latest();
      if (fresh) {
        const linked = linkedSignal(shutdown.signal, c.req.raw.signal);
        const got = await waitForNewerFrame(
          camera.ring,
          entry?.index ?? -1,
          snapshotTimeoutMs,
          linked.signal,
        );
        linked.dispose();
        if (got === 'timeout') {
          throw new ApiError(
            504,
            `no new frame from camera "${camera.name}" within ${snapshotTimeoutMs} ms`,
            {
              camera: camera.name,
            },
          );
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
  };

  const control = async (c: Context, camera: CameraHandle): Promise<Response> => {
    const { variable, value } = await controlParams(c);
    if (!variable) {
      throw badParameter('var', 'missing "var": the control to set, e.g. /control?var=quality&val=10');
    }
    const linked = linkedSignal(shutdown.signal, c.req.raw.signal);
    try {
      const result = await camera.control(variable, value, linked.signal);
      return c.json({ ok: result.ok, reply: result.reply });
    } catch (err) {
      if (err instanceof ControlError) {
        const body: { error: string; supported?: readonly string[] } = { error: err.message };
        if (err.supported) body.supported = err.supported;
        return c.json(body, err.status);
      }
      if (err instanceof SchemaControlError) {
        const body: { error: string; parameter?: string; supported?: readonly string[] } = {
          error: err.message,
        };
        if (err.parameter) body.parameter = err.parameter;
        if (err.supported) body.supported = err.supported;
        return c.json(body, CONTROL_ERROR_STATUS[err.kind]);
      }
      throw err;
    } finally {
      linked.dispose();
    }
  };

  const uptime = (): number => Math.round((Date.now() - startedAt) / 10) / 100;

  const app = new Hono();
  app.onError(errorResponse);
  app.notFound(notFoundResponse);
  if (options.cors !== undefined) {
    app.use('*', cors({ origin: options.cors, exposeHeaders: ['X-Timestamp', 'X-Frame-Index'] }));
  }
  if (options.auth) {
    app.use(
      '*',
      basicAuth({
        username: options.auth.username,
        password: options.auth.password,
        realm: 'cam-gateway',
        invalidUserMessage: { error: 'authentication required (HTTP Basic)' },
      }),
    );
  }

  const defaultCamera = cameras[0]!;
  app.get('/', (c) => {
    const action = c.req.query('action');
    if (action === undefined) {
      return c.html(viewerPage({ cameras: names, authRequired: options.auth !== undefined }));
    }
    if (action === 'stream') return stream(c, defaultCamera);
    if (action === 'snapshot') return snapshot(c, defaultCamera);
    throw badParameter('action', `unknown action "${action}" (use stream or snapshot)`);
  });
  app.get('/assets/:file', (c) => {
    const asset = viewerAsset(`assets/${c.req.param('file')}`);
    if (!asset) return notFoundResponse(c);
    return c.body(asset.body, 200, { 'Content-Type': asset.contentType, 'Cache-Control': 'no-cache' });
  });
  app.get('/stream', (c) => stream(c, defaultCamera));
  app.get('/snapshot', (c) => snapshot(c, defaultCamera));
  app.on(['GET', 'POST'], '/control', (c) => control(c, defaultCamera));
  app.get('/status', (c) =>
    c.json({
      name: 'cam-gateway',
      version: options.version,
      startedAt: new Date(startedAt).toISOString(),
      uptime: uptime(),
      openStreams: streams.size,
      cameras: cameras.map((camera) => camera.status()),
    }),
  );
  app.get('/cams/:name/stream', (c) => stream(c, cameraByName(c.req.param('name'))));
  app.get('/cams/:name/snapshot', (c) => snapshot(c, cameraByName(c.req.param('name'))));
  app.on(['GET', 'POST'], '/cams/:name/control', (c) => control(c, cameraByName(c.req.param('name'))));
  app.get('/cams/:name/status', (c) => {
    const camera = cameraByName(c.req.param('name'));
    return c.json({ version: options.version, uptime: uptime(), ...camera.status() });
  });
  app.all('/cams/:name/*', (c) => {
    cameraByName(c.req.param('name'));
    return notFoundResponse(c);
  });

  return {
    app,
    get openStreams() {
      return streams.size;
    },
    close() {
      shutdown.abort();
      for (const record of [...streams]) {
        record.stop.abort();
        // A client that stopped reading would hold its stream open until it drains: cut it off.
        // (The body is written to the socket directly: its backpressure is the one that counts.)
        const out = record.outgoing;
        if (out?.writableNeedDrain || out?.socket?.writableNeedDrain) out?.destroy();
        record.end();
      }
    },
  };
}
