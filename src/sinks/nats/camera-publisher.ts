/**
 * One camera on the bus, as its origin gateway publishes it: every frame of its
 * ring to `camgw.<site>.<camera>.frames` (headers from `wire.ts`), at most a
 * few frames in flight so a slow link skips frames instead of queueing them
 * (the client buffers without limit otherwise); frames over the server's
 * `max_payload` are counted and logged once with the setting to raise; and
 * `/control` served as request/reply on its control subject, through the
 * camera's own `control()` (same validation, same replies, errors with their kind).
 */
import {
  InvalidArgumentError,
  type Msg,
  type NatsConnection,
  type Subscription,
} from '@nats-io/transport-node';
import type { CameraHandle } from '../../camera/handle.js';
import type { Logger } from '../../log.js';
import { jpegSize } from '../../protocol/jpeg/info.js';
import type { RingbufferEntry } from '../../stream/ring-buffer.js';
import type { CameraSubjects } from './subjects.js';
import {
  type BusCounters,
  decodeControlRequest,
  encodeControlReply,
  frameHeaders,
  type StatusRecord,
} from './wire.js';

/** Frames published but not yet confirmed read by the server (a PING/PONG behind them). */
const MAX_IN_FLIGHT = 4;

export interface PublisherContext {
  /** The connection while a server is connected, else undefined (frames are then skipped). */
  connection(): NatsConnection | undefined;
  readonly origin: string;
  readonly host: string;
  readonly log: Logger;
}

export class CameraPublisher {
  readonly camera: CameraHandle;
  readonly subjects: CameraSubjects;
  readonly counters: BusCounters = { published: 0, tooLarge: 0, skipped: 0 };
  readonly #ctx: PublisherContext;
  readonly #log: Logger;
  #inFlight = 0;
  /** Bumped on every (re)connect: confirmations of an older connection no longer count. */
  #generation = 0;
  #toldTooLarge = false;
  #unsubscribe: (() => void) | undefined;
  #control: Subscription | undefined;
  #size: { index: number; size: { width: number; height: number } | undefined } | undefined;

  constructor(camera: CameraHandle, subjects: CameraSubjects, ctx: PublisherContext) {
    this.camera = camera;
    this.subjects = subjects;
    this.#ctx = ctx;
    this.#log = ctx.log.child(camera.name);
  }

  /** Follow the camera's ring. */
  start(): void {
    this.#unsubscribe ??= this.camera.ring.subscribe((entry) => {
      if (entry) this.#publish(entry);
    });
  }

  /** A (new) connection is up: serve control on it (the client keeps the subscription across reconnects). */
  connected(nc: NatsConnection): void {
    this.#generation++;
    this.#inFlight = 0;
    if (this.#control && !this.#control.isClosed()) return;
    this.#control = nc.subscribe(this.subjects.control, {
      callback: (err, msg) => this.#onControl(err, msg),
    });
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#control?.unsubscribe();
    this.#control = undefined;
  }

  /** The status bucket entry for now. */
  record(online?: boolean): StatusRecord {
    const status = this.camera.status();
    return {
      status: online === undefined ? status : { ...status, online },
      origin: this.#ctx.origin,
      host: this.#ctx.host,
      publishedAt: Date.now(),
      bus: { ...this.counters },
    };
  }

  #publish(entry: RingbufferEntry): void {
    const nc = this.#ctx.connection();
    if (!nc || this.#inFlight >= MAX_IN_FLIGHT) {
      this.counters.skipped++;
      return;
    }
    try {
      nc.publish(this.subjects.frames, entry.frame, {
        headers: frameHeaders(entry, this.#sizeOf(entry), this.#ctx.origin),
      });
    } catch (err) {
      if (err instanceof InvalidArgumentError && /max_payload/.test(err.message)) {
        this.counters.tooLarge++;
        if (!this.#toldTooLarge) {
          this.#toldTooLarge = true;
          const max = nc.info?.max_payload;
          this.#log.warn(
            `frame ${entry.index} (${entry.frame.length} bytes) is over the NATS server's max_payload (${max} bytes) ` +
              `and is not published (nor any such frame after it; counted in the status bucket as bus.tooLarge): ` +
              `raise it in nats-server.conf, e.g. "max_payload: 8MB"`,
          );
        }
        return;
      }
      this.counters.skipped++;
      return;
    }
    this.counters.published++;
    this.#inFlight++;
    const generation = this.#generation;
    const settle = (): void => {
      if (generation === this.#generation) this.#inFlight--;
    };
    nc.flush().then(settle, settle);
  }

  /** Width and height of the entry's JPEG, read once per frame. */
  #sizeOf(entry: RingbufferEntry): { width: number; height: number } | undefined {
    if (this.#size?.index !== entry.index) this.#size = { index: entry.index, size: jpegSize(entry.frame) };
    return this.#size.size;
  }

  #onControl(err: Error | null, msg: Msg): void {
    if (err) return;
    let request: { var: string; val?: string };
    try {
      request = decodeControlRequest(msg.string());
    } catch (error) {
      msg.respond(encodeControlReply(error));
      return;
    }
    this.camera.control(request.var, request.val).then(
      (result) => msg.respond(encodeControlReply(result)),
      (error: unknown) => msg.respond(encodeControlReply(error)),
    );
  }
}
