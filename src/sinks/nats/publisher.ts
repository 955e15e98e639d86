/**
 * `--publish`: a gateway's cameras on the NATS bus. Wires one `CameraPublisher`
 * per camera (frames, control) to one `BusConnection`, sets up each camera's
 * stream on every (re)connect, and writes each camera's status to the site's KV
 * bucket once a second. Losing the bus never touches the cameras or the HTTP
 * service: frames are skipped (and counted) until the connection is back, then
 * publishing resumes by itself.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { CameraHandle } from '../../camera/handle.js';
import type { Logger } from '../../log.js';
import { type BusAddress, describeBus } from './address.js';
import { CameraPublisher } from './camera-publisher.js';
import { BusConnection } from './connection.js';
import type { KeepLimit } from './keep.js';
import { ensureFrameStream, openStatusBucket } from './storage.js';
import { cameraSubjects } from './subjects.js';
import type { BusCounters } from './wire.js';

/** How often each camera's status is written (the bucket sees at most one write a second per camera). */
export const STATUS_PERIOD_MS = 1000;
/** How long `stop()` waits for the last status ("offline") to be written. */
const FAREWELL_MS = 300;

export interface PublishOptions {
  readonly address: BusAddress;
  readonly site: string;
  readonly keep: KeepLimit;
}

export class BusPublisher {
  readonly #options: PublishOptions;
  readonly #log: Logger;
  readonly #connection: BusConnection;
  readonly #cameras: CameraPublisher[];
  #kv: KV | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #writing = false;
  #toldStream = false;

  constructor(cameras: readonly CameraHandle[], options: PublishOptions, logger: Logger) {
    this.#options = options;
    this.#log = logger.child('bus');
    const origin = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.#connection = new BusConnection(options.address, `cam-gateway ${origin}`, this.#log, {
      up: (nc) => this.#up(nc),
    });
    const context = {
      connection: () => (this.#connection.connected ? this.#connection.nc : undefined),
      origin,
      host: hostname(),
      log: this.#log,
    };
    this.#cameras = cameras.map((c) => new CameraPublisher(c, cameraSubjects(options.site, c.name), context));
  }

  /** `nats://host:port` (no credentials), for the start-up line. */
  get where(): string {
    return describeBus(this.#options.address);
  }

  /** What was published, skipped and refused per camera so far. */
  counters(camera: string): BusCounters | undefined {
    return this.#cameras.find((p) => p.camera.name === camera)?.counters;
  }

  /** Start publishing (in the background: resolves at once; the bus may come later). */
  start(): void {
    for (const p of this.#cameras) p.start();
    this.#connection.start();
    this.#timer = setInterval(() => void this.#writeStatus(), STATUS_PERIOD_MS);
  }

  /** Say every camera is offline (when the bus is there), stop publishing, close the connection. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    for (const p of this.#cameras) p.stop();
    const kv = this.#kv;
    if (kv && this.#connection.connected) {
      const farewell = Promise.all(
        this.#cameras.map((p) => kv.put(p.camera.name, JSON.stringify(p.record(false)))),
      ).catch(() => {});
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([farewell, new Promise((r) => (timer = setTimeout(r, FAREWELL_MS)))]);
      clearTimeout(timer);
    }
    await this.#connection.close();
  }

  #up(nc: NatsConnection): void {
    for (const p of this.#cameras) p.connected(nc);
    void this.#setUp(nc);
  }

  async #setUp(nc: NatsConnection): Promise<void> {
    const results = await Promise.allSettled(
      this.#cameras.map((p) => ensureFrameStream(nc, p.subjects, this.#options.keep)),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed && !this.#toldStream) {
      this.#toldStream = true;
      this.#log.warn(
        `cannot set up the frame streams (${String(failed.reason)}): frames still reach relays live, ` +
          'but the bus keeps no recent frames (is JetStream enabled? nats-server -js)',
      );
    }
    if (!this.#kv) {
      try {
        this.#kv = await openStatusBucket(nc, this.#options.site);
        await this.#writeStatus();
      } catch (err) {
        this.#log.warn(`cannot open the status bucket: ${String(err)} (relays will not list these cameras)`);
      }
    }
  }

  async #writeStatus(): Promise<void> {
    const kv = this.#kv;
    if (!kv || !this.#connection.connected || this.#writing) return;
    this.#writing = true;
    try {
      await Promise.all(this.#cameras.map((p) => kv.put(p.camera.name, JSON.stringify(p.record()))));
    } catch (err) {
      this.#log.debug(`status not written: ${String(err)}`);
    } finally {
      this.#writing = false;
    }
  }
}
