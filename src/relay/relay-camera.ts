/**
 * A camera seen through the bus: a `CameraHandle` whose ring is fed with the
 * frames its origin gateway publishes, so the whole HTTP layer and the one
 * delivery policy serve it exactly as a local camera. Its status is the
 * origin's (from the status bucket) with this relay's own viewers; its
 * controls are the origin's schema; `control()` is a request to the origin,
 * whose errors come back with their kind. It keeps nothing a client depends on
 * beyond the frames in its ring: any relay serves the same camera the same way.
 */
import type { CameraHandle, ControlResult, ViewerLease, ViewerMeta } from '../camera/handle.js';
import { RateMeter, round1 } from '../camera/rates.js';
import type { CameraStatus } from '../camera/status.js';
import { ViewerRegistry } from '../camera/viewers.js';
import { ControlError } from '../control/errors.js';
import type { ControlSpec } from '../control/schema.js';
import { emptyStats } from '../protocol/types.js';
import type { FrameMeta, StatusRecord } from '../sinks/nats/wire.js';
import { nowSeconds, RingBuffer } from '../stream/ring-buffer.js';

/** Without a frame or a status for this long the origin counts as gone (offline). */
export const STALE_MS = 5000;

/** How a relay camera reaches its origin. */
export interface RelayLink {
  /** True while the relay is connected to the bus. */
  connected(): boolean;
  /** Send a control request to the origin; resolves with its reply or rejects with a `ControlError`. */
  control(
    camera: string,
    name: string,
    value: string | undefined,
    signal?: AbortSignal,
  ): Promise<ControlResult>;
}

/** What `/status` adds for a camera served by a relay. */
export interface RelayInfo {
  /** The origin's host name and process, null before its first status. */
  origin: { host: string; id: string; statusAgeSeconds: number } | null;
  /** The origin's bus counters (published, tooLarge, skipped), null before its first status. */
  bus: StatusRecord['bus'] | null;
  /** Frames this relay dropped because they repeated or came out of order. */
  dropped: number;
}

export type RelayCameraStatus = CameraStatus & { relay: RelayInfo };

export class RelayCamera implements CameraHandle {
  readonly name: string;
  readonly ring: RingBuffer;
  readonly #link: RelayLink;
  readonly #viewers = new ViewerRegistry({ first: () => {}, empty: () => {} });
  readonly #frames = new RateMeter();
  #record: StatusRecord | undefined;
  /** performance.now() of the last frame or status from the origin. */
  #newsAt = Number.NEGATIVE_INFINITY;
  #last: { origin: string; index: number } | undefined;
  #lastSize: { width: number; height: number } | undefined;
  #dropped = 0;

  constructor(name: string, ringSize: number, link: RelayLink) {
    this.name = name;
    this.ring = new RingBuffer(ringSize);
    this.#link = link;
  }

  /**
   * Live: the origin says the camera is online and was heard from lately. A moment off the bus
   * (a node failing over) is not offline: viewers would see a NO SIGNAL flash; 5 s of silence is.
   */
  get online(): boolean {
    if (performance.now() - this.#newsAt > STALE_MS) return false;
    return this.#record?.status.online ?? true;
  }

  /** Add a frame from the bus; false (and counted) when it repeats or precedes the last one from its origin. */
  ingest(jpeg: Uint8Array, meta: FrameMeta): boolean {
    if (this.ring.closed) return false;
    const last = this.#last;
    if (last && last.origin === meta.origin && meta.index <= last.index) {
      this.#dropped++;
      return false;
    }
    this.#last = { origin: meta.origin, index: meta.index };
    this.#lastSize =
      meta.width !== undefined && meta.height !== undefined
        ? { width: meta.width, height: meta.height }
        : undefined;
    this.#newsAt = performance.now();
    // A copy: the client may reuse the buffer the message was read into.
    this.ring.add(Buffer.from(jpeg), meta.deviceTimeUs, meta.timestamp);
    this.#frames.add(1);
    return true;
  }

  /** The origin's latest status entry. */
  update(record: StatusRecord): void {
    if (this.#record && record.publishedAt < this.#record.publishedAt) return;
    this.#record = record;
    if (Date.now() - record.publishedAt < STALE_MS) this.#newsAt = performance.now();
  }

  status(): RelayCameraStatus {
    const t = nowSeconds();
    const record = this.#record;
    const base = record?.status ?? unknownStatus(this.name);
    const latest = this.ring.latest();
    return {
      ...base,
      name: this.name,
      online: this.online,
      fps: { received: round1(this.#frames.rate(t)), served: round1(this.#viewers.servedFps(t)) },
      clients: this.#viewers.list(t),
      lastFrame: latest
        ? {
            index: latest.index,
            bytes: latest.frame.length,
            timestamp: latest.timestamp,
            ...(this.#lastSize ?? {}),
          }
        : null,
      relay: {
        origin: record
          ? {
              host: record.host,
              id: record.origin,
              statusAgeSeconds: round1((Date.now() - record.publishedAt) / 1000),
            }
          : null,
        bus: record?.bus ?? null,
        dropped: this.#dropped,
      },
    };
  }

  controls(): readonly ControlSpec[] {
    return this.#record?.status.controls ?? [];
  }

  control(name: string, value: string | undefined, signal?: AbortSignal): Promise<ControlResult> {
    if (!this.#link.connected()) {
      return Promise.reject(
        new ControlError('offline', `the relay has lost the bus; camera ${this.name} cannot be reached now`),
      );
    }
    return this.#link.control(this.name, name, value, signal);
  }

  attachViewer(meta: ViewerMeta): ViewerLease {
    return this.#viewers.attach(meta);
  }

  onFrameAge(listener: (ageSeconds: number) => void): () => void {
    return this.#viewers.onFrameAge(listener);
  }
}

/** The status of a camera whose origin has not written one yet (its frames came first). */
function unknownStatus(name: string): CameraStatus {
  const { bytesIn, ...counters } = emptyStats();
  return {
    ...counters,
    bytes: bytesIn,
    name,
    port: 'bus',
    protocol: 'auto',
    detectedProtocol: null,
    protocolSwitches: 0,
    sensor: null,
    online: false,
    lastError: null,
    fps: { received: 0, served: 0 },
    kBps: 0,
    clients: [],
    lastFrame: null,
    info: null,
    logs: [],
    controls: [],
    idle: null,
  };
}
