/**
 * The gateway's HTTP routes as a Hono app: MJPEG stream, snapshot, status and
 * control per camera (the first camera also at the root, mjpg-streamer /
 * uStreamer style, so OctoPrint and Home Assistant work unchanged), plus the
 * viewer page. Testable with `app.request()`; served by `listen()` in server.ts.
 * Errors become responses in one place (`errors.ts`).
 */
import { type Context, Hono } from 'hono';
import { basicAuth } from 'hono/basic-auth';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import type { CameraDirectory, CameraHandle } from '../camera/handle.js';
import type { Logger } from '../log.js';
import { GatewayMetrics } from '../sinks/metrics.js';
import type { Recordings } from '../sinks/recording/recordings.js';
import { NO_SIGNAL_JPEG } from '../stream/no-signal.js';
import { ApiError, badParameter, errorResponse, notFoundResponse } from './errors.js';
import { FrameRoutes, isHttp2, linkedSignal } from './frames.js';
import { createGuard } from './guard.js';
import { controlParams, parseAction } from './params.js';
import { recordingRoutes } from './recordings.js';
import { viewerAsset, viewerPage } from './viewer.js';
import { ViewerSockets } from './ws.js';

/** Largest control request body; more is a 413. */
export const MAX_CONTROL_BODY_BYTES = 64 * 1024;

export interface AppOptions {
  /** First = default camera (served at `/stream`, `/snapshot`, `/control`); or a directory whose list changes. */
  cameras: readonly CameraHandle[] | CameraDirectory;
  version: string;
  /** Epoch ms, default Date.now(). */
  startedAt?: number;
  auth?: { username: string; password: string };
  /** Allowed origin; CORS off when undefined. */
  cors?: string;
  /** Host names requests may be addressed to besides IP addresses, localhost and this machine's name (`guard.ts`); `*`: any. */
  allowHosts?: readonly string[];
  /** Where refused requests are noted (once per host or origin). Default: silent. */
  logger?: Logger;
  /** `?fresh=1` wait, default 5000. */
  snapshotTimeoutMs?: number;
  /** Re-send/no-signal period, default 1000. */
  stillResendMs?: number;
  /** Recording, clips and timelapse (`/recordings`, `/cams/NAME/clip`, `…/timelapse`); those answer 409 without. */
  recordings?: Recordings;
  /** What `/metrics` serves; default: the cameras' metrics. */
  metrics?: GatewayMetrics;
  /** Send a slow stream client frames as it reads them (Linux, TCP_INFO); default true. */
  pacing?: boolean;
}

export interface GatewayApp {
  readonly app: Hono;
  /** MJPEG responses currently open. */
  readonly openStreams: number;
  /** Viewer pages connected by WebSocket (`/ws`). */
  readonly openSockets: number;
  /** Ends every open stream and viewer socket now (and answers new stream requests 503). Idempotent. */
  close(): void;
}

export function createApp(options: AppOptions): GatewayApp {
  const directory = fixedDirectory(options.cameras);
  const names = (): string[] => directory.list().map((c) => c.name);
  const startedAt = options.startedAt ?? Date.now();
  const frames = new FrameRoutes({
    snapshotTimeoutMs: options.snapshotTimeoutMs ?? 5000,
    stillResendMs: options.stillResendMs ?? 1000,
    ...(options.cors !== undefined ? { cors: options.cors } : {}),
    ...(options.pacing === false ? { pacing: false } : {}),
  });

  const cameraByName = (name: string): CameraHandle => {
    const camera = directory.list().find((c) => c.name === name);
    if (!camera) {
      throw new ApiError(404, `unknown camera "${name}"; known cameras: ${names().join(', ')}`, {
        cameras: names(),
      });
    }
    return camera;
  };
  const defaultCamera = (): CameraHandle => {
    const camera = directory.list()[0];
    if (!camera) throw new ApiError(503, 'no camera yet', { cameras: [] });
    return camera;
  };

  /** mjpg-streamer's numbered inputs (`?action=stream_1`): the cameras in order, from 0. */
  const cameraAt = (input: number): CameraHandle => {
    const list = directory.list();
    const camera = list[input];
    if (!camera) {
      const all = list.map((c) => c.name);
      throw new ApiError(404, `no camera number ${input}; cameras 0-${list.length - 1}: ${all.join(', ')}`, {
        cameras: all,
      });
    }
    return camera;
  };

  const control = async (c: Context, camera: CameraHandle): Promise<Response> => {
    const { variable, value } = await controlParams(c);
    if (!variable) {
      throw badParameter('var', 'missing "var": the control to set, e.g. /control?var=quality&val=10');
    }
    const linked = linkedSignal(frames.shutdownSignal, c.req.raw.signal);
    try {
      const result = await camera.control(variable, value, linked.signal);
      return c.json({ ok: result.ok, reply: result.reply });
    } finally {
      linked.dispose();
    }
  };

  const uptime = (): number => Math.round((Date.now() - startedAt) / 10) / 100;
  const gatewayStatus = () => ({
    name: 'cam-gateway',
    version: options.version,
    startedAt: new Date(startedAt).toISOString(),
    uptime: uptime(),
    openStreams: frames.openStreams,
    cameras: directory.list().map((camera) => camera.status()),
    recording: options.recordings?.status() ?? null,
  });
  const metrics = options.metrics ?? new GatewayMetrics({ cameras: () => directory.list() });
  const sockets = new ViewerSockets({
    cameras: () => directory.list(),
    byName: cameraByName,
    status: gatewayStatus,
    placeholder: NO_SIGNAL_JPEG,
    resendMs: options.stillResendMs ?? 1000,
    ...(options.cors !== undefined ? { cors: options.cors } : {}),
  });

  const app = new Hono();
  app.onError(errorResponse);
  app.notFound(notFoundResponse);
  const guard = createGuard({
    ...(options.allowHosts ? { allowHosts: options.allowHosts } : {}),
    ...(options.cors !== undefined ? { cors: options.cors } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  app.use('*', guard.requests);
  if (options.cors !== undefined) {
    // A single origin may send credentials (a dashboard's `fetch(…, {credentials: 'include'})`); `*` may not.
    const credentials = options.cors !== '*';
    app.use(
      '*',
      cors({ origin: options.cors, exposeHeaders: ['X-Timestamp', 'X-Frame-Index'], credentials }),
    );
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
  const limit = bodyLimit({
    maxSize: MAX_CONTROL_BODY_BYTES,
    onError: () => {
      throw new ApiError(413, `request body over ${MAX_CONTROL_BODY_BYTES} bytes`, { parameter: 'body' });
    },
  });

  app.get('/', (c) => {
    const action = parseAction(c);
    if (action === undefined) {
      // HTTP/2 has no per-host connection limit: every camera can stream live.
      const liveLimit = isHttp2(c) ? names().length : undefined;
      return c.html(viewerPage({ cameras: names(), authRequired: options.auth !== undefined, liveLimit }));
    }
    const camera = action.input === undefined ? defaultCamera() : cameraAt(action.input);
    return action.kind === 'stream' ? frames.stream(c, camera) : frames.snapshot(c, camera);
  });
  app.get('/assets/:file', (c) => {
    const asset = viewerAsset(`assets/${c.req.param('file')}`);
    if (!asset) return notFoundResponse(c);
    return c.body(asset.body, 200, { 'Content-Type': asset.contentType, 'Cache-Control': 'no-cache' });
  });
  app.get('/stream', (c) => frames.stream(c, defaultCamera()));
  app.get('/snapshot', (c) => frames.snapshot(c, defaultCamera()));
  app.on(['GET', 'POST'], '/control', guard.stateChange, limit, (c) => control(c, defaultCamera()));
  app.get('/status', (c) => c.json(gatewayStatus()));
  app.get('/ws', (c) => sockets.handle(c));
  app.get('/metrics', async (c) =>
    c.body(await metrics.scrape(), 200, { 'Content-Type': metrics.contentType }),
  );
  recordingRoutes(app, options.recordings, cameraByName);
  app.get('/cams/:name/stream', (c) => frames.stream(c, cameraByName(c.req.param('name'))));
  app.get('/cams/:name/snapshot', (c) => frames.snapshot(c, cameraByName(c.req.param('name'))));
  app.on(['GET', 'POST'], '/cams/:name/control', guard.stateChange, limit, (c) =>
    control(c, cameraByName(c.req.param('name'))),
  );
  app.get('/cams/:name/controls', (c) => c.json(cameraByName(c.req.param('name')).controls()));
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
      return frames.openStreams;
    },
    get openSockets() {
      return sockets.openSockets;
    },
    close() {
      frames.close();
      sockets.close();
    },
  };
}

/** A fixed list as a directory, checked once: at least one camera, names unique. */
function fixedDirectory(cameras: readonly CameraHandle[] | CameraDirectory): CameraDirectory {
  if (!Array.isArray(cameras)) return cameras as CameraDirectory;
  const list: readonly CameraHandle[] = [...cameras];
  if (list.length === 0) throw new TypeError('"cameras" must list at least one camera');
  const seen = new Set<string>();
  for (const camera of list) {
    if (seen.has(camera.name)) throw new TypeError(`camera name "${camera.name}" is used twice`);
    seen.add(camera.name);
  }
  return { list: () => list };
}
