/**
 * `createRelay()`: every camera of a site on the bus behind the same HTTP app a
 * gateway serves (`/`, `/stream`, `/snapshot`, `/status`, `/control`, `/cams/NAME/…`),
 * with no serial port and no state of its own: any number of relays can stand
 * behind one load balancer. The CLI's `--from nats://…` runs one.
 */
import type { Hono } from 'hono';
import { createApp, type GatewayApp } from '../http/app.js';
import { listenCapped, type RunningServer } from '../http/server.js';
import { createLogger, type Logger } from '../log.js';
import type { BusAddress } from '../sinks/nats/address.js';
import { BusLink } from './bus-link.js';
import type { RelayCamera } from './relay-camera.js';

export interface RelayOptions {
  readonly address: BusAddress;
  readonly site: string;
  /** Frames kept per camera. */
  readonly ringSize: number;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly auth?: { username: string; password: string };
  readonly cors?: string;
  /** Host names besides the listen host, IP addresses and localhost (`--allow-host`). */
  readonly allowHosts?: readonly string[];
  /** Open connections at most (`--max-clients`); default from the open-file limit. */
  readonly maxClients?: number;
  /** Send a slow stream client frames as it reads them (`--pacing`); default true. */
  readonly pacing?: boolean;
  readonly logger?: Logger;
  readonly version: string;
}

export interface Relay {
  readonly app: Hono;
  readonly http: GatewayApp;
  /** The cameras found on the bus so far. */
  readonly cameras: readonly RelayCamera[];
  /** `http://host:port` once started. */
  readonly url: string;
  /** Connect to the bus, find the cameras, listen. Rejects with one line. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createRelay(options: RelayOptions): Relay {
  const logger = options.logger ?? createLogger({ level: 'warn' });
  const bus = new BusLink({
    address: options.address,
    site: options.site,
    ringSize: options.ringSize,
    logger,
  });
  const http = createApp({
    cameras: { list: () => bus.list() },
    version: options.version,
    ...(options.auth ? { auth: options.auth } : {}),
    ...(options.cors !== undefined ? { cors: options.cors } : {}),
    allowHosts: [options.host, ...(options.allowHosts ?? [])],
    ...(options.pacing === false ? { pacing: false } : {}),
    logger: logger.child('http'),
  });
  let server: RunningServer | undefined;
  let url = '';
  let stopping: Promise<void> | undefined;
  return {
    app: http.app,
    http,
    get cameras() {
      return bus.list();
    },
    get url() {
      return url;
    },
    async start() {
      await bus.start();
      try {
        server = await listenCapped(http.app, {
          host: options.host,
          port: options.port,
          ...(options.maxClients !== undefined ? { maxClients: options.maxClients } : {}),
          logger: logger.child('http'),
        });
      } catch (err) {
        await bus.stop();
        throw err;
      }
      url = server.url;
    },
    stop() {
      stopping ??= (async () => {
        http.close();
        await bus.stop();
        await server?.close();
      })();
      return stopping;
    },
  };
}
