/**
 * `createGateway()`: cameras (source → decoder → ring) behind one HTTP app,
 * started and stopped as a unit. The CLI is a thin layer over this.
 */
import { readFileSync } from 'node:fs';
import type { Hono } from 'hono';
import { Camera } from './camera/camera.js';
import {
  type GatewayOptions,
  resolveCameras,
  resolveHttpLimits,
  resolvePreroll,
  resolveRecording,
  resolveSinks,
  type SourceConfig,
} from './config.js';
import { createApp, type GatewayApp } from './http/app.js';
import { listenCapped, type RunningServer } from './http/server.js';
import { createLogger, type Logger } from './log.js';
import { DEFAULTS } from './options.js';
import { tcpUnavailable } from './platform/tcp.js';
import { GatewayMetrics } from './sinks/metrics.js';
import type { HomeAssistantSink } from './sinks/mqtt/home-assistant.js';
import type { BusPublisher } from './sinks/nats/publisher.js';
import { Recordings } from './sinks/recording/recordings.js';
import { DEMO_FILE, ReplaySource } from './source/replay.js';
import { SerialSource } from './source/serial.js';
import type { ByteSource } from './source/types.js';

/** This package's version (from package.json). */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export interface Gateway {
  /** The Hono app (mount it elsewhere, or call `app.request()` in tests). */
  readonly app: Hono;
  /** The HTTP layer's handle (open stream count, close). */
  readonly http: GatewayApp;
  readonly cameras: Camera[];
  /** Publishing on NATS (`publish`), when configured. */
  readonly bus: BusPublisher | undefined;
  /** Home Assistant through MQTT (`mqtt`), when configured. */
  readonly homeAssistant: HomeAssistantSink | undefined;
  /** `http://host:port` once started, '' before. */
  readonly url: string;
  /** Open every camera's source, then listen. Rejects with a one-line error (port busy, EADDRINUSE …). */
  start(): Promise<void>;
  /** Close streams, stop cameras (ArduCAM stop byte first), close ports and the server. Idempotent. */
  stop(): Promise<void>;
}

function createSource(name: string, s: SourceConfig, options: GatewayOptions, logger: Logger): ByteSource {
  const log = logger.child(name);
  switch (s.kind) {
    case 'serial':
      return new SerialSource({
        path: s.path,
        baudRate: s.baudRate,
        dtr: s.dtr,
        rts: s.rts,
        reset: s.reset,
        ...(s.record ? { record: s.record } : {}),
        ...(options.binding ? { binding: options.binding } : {}),
        logger: log,
      });
    case 'replay':
      return new ReplaySource({
        file: s.demo ? DEMO_FILE : s.file,
        baudRate: s.baudRate,
        ...(s.demo ? { label: 'demo' } : {}),
        logger: log,
      });
    case 'custom':
      return s.source;
  }
}

export function createGateway(options: GatewayOptions): Gateway {
  const logger = options.logger ?? createLogger({ level: 'warn' });
  const configs = resolveCameras(options.cameras);
  const limits = resolveHttpLimits(options);
  const cameras = configs.map(
    (c) =>
      new Camera(c.settings, { source: createSource(c.settings.name, c.source, options, logger), logger }),
  );
  const recording = options.recording ? resolveRecording(options.recording) : undefined;
  const recordings = new Recordings(
    cameras,
    { prerollSeconds: resolvePreroll(options.prerollSeconds), ...(recording ? { recording } : {}) },
    { logger },
  );
  const metrics = new GatewayMetrics({
    cameras: () => cameras,
    ...(recordings.service ? { recording: () => recordings.status() } : {}),
  });
  const host = options.host ?? DEFAULTS.host;
  const httpLog = logger.child('http');
  const http = createApp({
    cameras,
    recordings,
    metrics,
    version: options.version ?? VERSION,
    ...(options.auth ? { auth: options.auth } : {}),
    ...(options.cors ? { cors: options.cors } : {}),
    ...(options.pacing === false ? { pacing: false } : {}),
    allowHosts: [host, ...limits.allowHosts],
    logger: httpLog,
  });
  const sinks = resolveSinks(options);
  const version = options.version ?? VERSION;
  // The NATS and MQTT clients are loaded only when asked for: a plain gateway starts lighter.
  let bus: BusPublisher | undefined;
  let homeAssistant: HomeAssistantSink | undefined;
  const noPacing = options.pacing === false ? undefined : tcpUnavailable();
  if (noPacing)
    logger.info(`stream pacing off (${noPacing}): a slow client gets frames as its socket takes them`);
  const port = options.port ?? DEFAULTS.port;
  let server: RunningServer | undefined;
  let url = '';
  let stopping: Promise<void> | undefined;

  const stopCameras = async (list: readonly Camera[]): Promise<void> => {
    const results = await Promise.allSettled(list.map((c) => c.stop()));
    for (const r of results) {
      if (r.status === 'rejected') logger.warn(`stopping a camera failed: ${String(r.reason)}`);
    }
  };

  return {
    app: http.app,
    http,
    cameras,
    get bus() {
      return bus;
    },
    get homeAssistant() {
      return homeAssistant;
    },
    get url() {
      return url;
    },
    async start() {
      if (sinks.publish && !bus) {
        const { BusPublisher } = await import('./sinks/nats/publisher.js');
        bus = new BusPublisher(cameras, sinks.publish, logger);
      }
      if (sinks.mqtt && !homeAssistant) {
        const { HomeAssistantSink } = await import('./sinks/mqtt/home-assistant.js');
        homeAssistant = new HomeAssistantSink(cameras, { ...sinks.mqtt, version }, logger);
      }
      // Bind first: a gateway that cannot serve should not open (or reset) any camera.
      // listen() rejects with a one-line message naming --listen (EADDRINUSE, EACCES …), code kept.
      server = await listenCapped(http.app, {
        host,
        port,
        ...(limits.maxClients !== undefined ? { maxClients: limits.maxClients } : {}),
        ...(options.tls ? { tls: options.tls } : {}),
        logger: httpLog,
      });
      // Then the recording folder (a folder that cannot be used fails the start), then the cameras.
      const results = await Promise.allSettled([recordings.start()]);
      if (results[0]!.status === 'fulfilled') {
        results.push(...(await Promise.allSettled(cameras.map((c) => c.start()))));
      }
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) {
        await stopCameras(cameras);
        await recordings.stop();
        await server.close();
        server = undefined;
        throw failed.reason;
      }
      url = server.url;
      bus?.start();
      homeAssistant?.start();
    },
    stop() {
      stopping ??= (async () => {
        http.close();
        // The sinks say goodbye (offline) while the cameras say theirs (ArduCAM stop byte): one wait, not two.
        await Promise.all([bus?.stop(), homeAssistant?.stop(), stopCameras(cameras)]);
        await recordings.stop();
        for (const c of cameras) c.ring.close();
        await server?.close();
      })();
      return stopping;
    },
  };
}
