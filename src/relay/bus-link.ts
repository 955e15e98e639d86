/**
 * The relay's side of the bus: one connection, one subscription to every
 * camera's frames of the site, the status bucket watched for cameras and their
 * status, each new camera's ring primed with the newest frame its stream keeps,
 * and control requests sent to the origins. Cameras are found by their status
 * entries and by their frames, whichever comes first.
 */
import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import {
  type Msg,
  type NatsConnection,
  NoRespondersError,
  RequestError,
  TimeoutError,
} from '@nats-io/transport-node';
import type { ControlResult } from '../camera/handle.js';
import { ControlError } from '../control/errors.js';
import type { Logger } from '../log.js';
import type { BusAddress } from '../sinks/nats/address.js';
import { BusConnection } from '../sinks/nats/connection.js';
import { lastStoredFrame, openStatusBucket } from '../sinks/nats/storage.js';
import { cameraOfSubject, cameraSubjects, siteFrames } from '../sinks/nats/subjects.js';
import {
  decodeControlReply,
  decodeStatusRecord,
  encodeControlRequest,
  readFrameHeaders,
} from '../sinks/nats/wire.js';
import { RelayCamera } from './relay-camera.js';

/** How long a control request waits for the origin (its own queue and device timeout come first). */
export const CONTROL_REQUEST_MS = 10_000;
/** Cameras one relay serves at most (bounds memory whatever is on the bus). */
export const MAX_CAMERAS = 256;

export interface BusLinkOptions {
  readonly address: BusAddress;
  readonly site: string;
  readonly ringSize: number;
  readonly logger: Logger;
}

export class BusLink {
  readonly #options: BusLinkOptions;
  readonly #log: Logger;
  readonly #connection: BusConnection;
  readonly #cameras = new Map<string, RelayCamera>();
  #sorted: RelayCamera[] = [];
  #jsm: JetStreamManager | undefined;
  #kv: KV | undefined;
  #stopWatch: (() => void) | undefined;
  #toldFull = false;

  constructor(options: BusLinkOptions) {
    this.#options = options;
    this.#log = options.logger.child('bus');
    this.#connection = new BusConnection(options.address, 'cam-gateway relay', this.#log, { up: () => {} });
  }

  /** The cameras seen so far, by name. */
  list(): readonly RelayCamera[] {
    return this.#sorted;
  }

  /** Connect, subscribe to the frames, read the cameras the status bucket lists; rejects with one line. */
  async start(): Promise<void> {
    await this.#connection.open();
    const nc = this.#connection.nc!;
    nc.subscribe(siteFrames(this.#options.site), {
      callback: (err, msg) => {
        if (!err) this.#onFrame(msg);
      },
    });
    this.#jsm = await jetstreamManager(nc).catch(() => undefined);
    try {
      this.#kv = await openStatusBucket(nc, this.#options.site);
    } catch (err) {
      this.#log.warn(`no status bucket (${String(err)}): cameras are found by their frames only`);
      return;
    }
    for await (const key of await this.#kv.keys()) {
      const entry = await this.#kv.get(key).catch(() => null);
      const record = entry?.value ? decodeStatusRecord(entry.value) : undefined;
      if (record) this.#camera(key)?.update(record);
    }
    await this.#watch(this.#kv);
  }

  async stop(): Promise<void> {
    this.#stopWatch?.();
    for (const camera of this.#cameras.values()) camera.ring.close();
    await this.#connection.close();
  }

  async #watch(kv: KV): Promise<void> {
    const watch = await kv.watch();
    this.#stopWatch = () => watch.stop();
    void (async () => {
      for await (const entry of watch) {
        if (entry.operation !== 'PUT') continue;
        const record = decodeStatusRecord(entry.value);
        if (record) this.#camera(entry.key)?.update(record);
      }
    })().catch((err: unknown) => this.#log.warn(`status watch ended: ${String(err)}`));
  }

  #onFrame(msg: Msg): void {
    const name = cameraOfSubject(msg.subject, this.#options.site);
    const meta = readFrameHeaders(msg.headers);
    if (name === undefined || meta === undefined) return;
    this.#camera(name)?.ingest(msg.data, meta);
  }

  /** The camera of that name, made (and primed from its stream) on first sight; undefined past the limit. */
  #camera(name: string): RelayCamera | undefined {
    const known = this.#cameras.get(name);
    if (known) return known;
    if (this.#cameras.size >= MAX_CAMERAS) {
      if (!this.#toldFull)
        this.#log.warn(`more than ${MAX_CAMERAS} cameras on the bus: ${name} and later ones are not served`);
      this.#toldFull = true;
      return undefined;
    }
    const camera = new RelayCamera(name, this.#options.ringSize, {
      connected: () => this.#connection.connected,
      control: (cam, variable, value, signal) => this.#control(cam, variable, value, signal),
    });
    this.#cameras.set(name, camera);
    this.#sorted = [...this.#cameras.values()].sort((a, b) => a.name.localeCompare(b.name));
    this.#log.info(`camera ${name} found`);
    void this.#prime(camera);
    return camera;
  }

  /** The newest stored frame, unless a live one arrived first. */
  async #prime(camera: RelayCamera): Promise<void> {
    if (!this.#jsm) return;
    const stored = await lastStoredFrame(this.#jsm, cameraSubjects(this.#options.site, camera.name));
    const meta = stored ? readFrameHeaders(stored.header) : undefined;
    if (stored && meta && camera.ring.latest() === undefined) camera.ingest(stored.data, meta);
  }

  async #control(
    camera: string,
    name: string,
    value: string | undefined,
    signal?: AbortSignal,
  ): Promise<ControlResult> {
    const nc: NatsConnection | undefined = this.#connection.nc;
    if (!nc) throw new ControlError('offline', 'the relay is not connected to the bus');
    const subject = cameraSubjects(this.#options.site, camera).control;
    let reply: Msg;
    try {
      const request = nc.request(subject, encodeControlRequest(name, value), { timeout: CONTROL_REQUEST_MS });
      reply = await (signal ? abortable(request, signal) : request);
    } catch (err) {
      if (err instanceof ControlError) throw err;
      if (err instanceof NoRespondersError || (err instanceof RequestError && err.isNoResponders())) {
        throw new ControlError(
          'offline',
          `no gateway on the bus serves camera ${camera} now (is its origin running?)`,
        );
      }
      if (err instanceof TimeoutError || (err instanceof RequestError && err.cause instanceof TimeoutError)) {
        throw new ControlError(
          'timeout',
          `camera ${camera}'s gateway did not answer within ${CONTROL_REQUEST_MS / 1000} s`,
        );
      }
      throw new ControlError('offline', `control request for ${camera} failed on the bus: ${String(err)}`);
    }
    return decodeControlReply(reply.string());
  }
}

/** `promise`, or a rejection with the signal's reason once it aborts (the request itself runs on). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
