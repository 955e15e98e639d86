/**
 * A `CameraHandle` over a real `RingBuffer`, for tests and benchmarks of the
 * HTTP layer: push frames by hand, flip `online`, program `control()`, and read
 * back which viewers attached, what they were sent, and whether they released.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  CameraHandle,
  ControlResult,
  ViewerLease,
  ViewerMeta,
  ViewerPacing,
} from '../../src/camera/handle.js';
import type { CameraStatus, ClientStatus } from '../../src/camera/status.js';
import { ControlError } from '../../src/control/errors.js';
import {
  type ControlDef,
  type ControlSpec,
  enumControl,
  intControl,
  parseControlValue,
  withValue,
} from '../../src/control/schema.js';
import type { ProtocolName, ProtocolOption } from '../../src/protocol/registry.js';
import { RingBuffer, type RingbufferEntry } from '../../src/stream/ring-buffer.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'jpeg');

/** The real JPEG fixtures whose names start with `prefix` (`qvga` → 24 frames, `vga` → 8), in order. */
export function fixtureFrames(prefix: 'qvga' | 'vga' = 'qvga'): Buffer[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.startsWith(`${prefix}-`) && f.endsWith('.jpg'))
    .sort()
    .map((f) => readFileSync(join(FIXTURES, f)));
}

/**
 * A still-valid JPEG of about `targetBytes`: `base` with APP15 padding segments
 * after SOI (decoders skip them). For tests that need frames big enough to fill
 * socket buffers. `fill` varies the padding so frames differ.
 */
export function paddedJpeg(base: Buffer, targetBytes: number, fill = 0): Buffer {
  const segments: Buffer[] = [base.subarray(0, 2)];
  let size = base.length;
  while (size < targetBytes) {
    const payload = Math.min(65533, Math.max(1, targetBytes - size - 4));
    const seg = Buffer.alloc(payload + 4, fill & 0xff);
    seg[0] = 0xff;
    seg[1] = 0xef;
    seg.writeUInt16BE(payload + 2, 2);
    segments.push(seg);
    size += seg.length;
  }
  segments.push(base.subarray(2));
  return Buffer.concat(segments);
}

export type ControlHandler = (
  variable: string,
  value: string | undefined,
  signal?: AbortSignal,
) => Promise<ControlResult>;

export interface ViewerRecord extends Omit<ClientStatus, 'fps' | 'consumed' | 'age' | 'pacing'> {
  /** `frameConsumed()` calls, each with the age it reported. */
  consumedAges: number[];
  /** What the writer said to read its pacing from. */
  pacing?: () => ViewerPacing;
  released: boolean;
  /** Times `release()` was called (a correct caller makes it exactly 1). */
  releaseCalls: number;
}

export interface FakeCameraOptions {
  /** Ring capacity, default 10. */
  capacity?: number;
  /** Initial `online`, default true. */
  online?: boolean;
  /** Shown as `port` in status, default `fake`. */
  port?: string;
  /** Controls it honours, default `quality` 4..63 and `framesize` QVGA/VGA/SVGA. */
  controls?: ControlDef[];
}

export class FakeCamera implements CameraHandle {
  readonly name: string;
  readonly ring: RingBuffer;
  online: boolean;
  info: Record<string, unknown> | null = null;
  port: string;
  protocol: ProtocolOption = 'auto';
  detectedProtocol: ProtocolName | null = 'camf';
  logs: string[] = [];
  supportedControls: ControlDef[];
  /** Every `control()` call, in order. */
  readonly controlCalls: { variable: string; value: string | undefined }[] = [];
  /** What `control()` does; by default: ok for valid values of supported controls, a ControlError otherwise. */
  controlHandler: ControlHandler;
  /** Every viewer that ever attached, by id. */
  readonly viewers = new Map<number, ViewerRecord>();
  readonly #frameAgeListeners = new Set<(ageSeconds: number) => void>();
  #nextViewerId = 1;
  #bytesIn = 0;

  constructor(name = 'cam', options: FakeCameraOptions = {}) {
    this.name = name;
    this.ring = new RingBuffer(options.capacity ?? 10);
    this.online = options.online ?? true;
    this.port = options.port ?? 'fake';
    this.supportedControls = options.controls ?? [
      intControl('quality', 'JPEG quality', 4, 63, 'lower is better'),
      enumControl('framesize', 'Resolution', ['QVGA', 'VGA', 'SVGA']),
    ];
    this.controlHandler = async (variable, value) => {
      const def = this.supportedControls.find((d) => d.spec.name === variable);
      if (!def) {
        const supported = this.supportedControls.map((d) => d.spec.name);
        throw new ControlError('unsupported', `unsupported variable "${variable}"`, {
          supported,
          parameter: 'var',
        });
      }
      const canonical = parseControlValue(def, value);
      return { ok: true, reply: `ok ${variable}=${canonical ?? ''}` };
    };
  }

  /** Publish a frame as the device would. */
  push(jpeg: Buffer, deviceTimeUs?: number): RingbufferEntry {
    this.#bytesIn += jpeg.length;
    return this.ring.add(jpeg, deviceTimeUs);
  }

  /** Viewers attached and not yet released. */
  get activeViewers(): ViewerRecord[] {
    return [...this.viewers.values()].filter((v) => !v.released);
  }

  /** The schema it publishes, each spec's value filled in from `info` when it holds one. */
  controls(): ControlSpec[] {
    return this.supportedControls.map((d) => withValue(d.spec, this.info?.[d.spec.name]));
  }

  async control(variable: string, value: string | undefined, signal?: AbortSignal): Promise<ControlResult> {
    this.controlCalls.push({ variable, value });
    return this.controlHandler(variable, value, signal);
  }

  attachViewer(meta: ViewerMeta): ViewerLease {
    const id = this.#nextViewerId++;
    const record: ViewerRecord = {
      id,
      kind: meta.kind,
      since: Date.now() / 1000,
      frames: 0,
      bytes: 0,
      consumedAges: [],
      released: false,
      releaseCalls: 0,
    };
    if (meta.remote !== undefined) record.remote = meta.remote;
    if (meta.fpsCap !== undefined) record.fpsCap = meta.fpsCap;
    this.viewers.set(id, record);
    return {
      id,
      frameSent: (bytes: number) => {
        record.frames++;
        record.bytes += bytes;
      },
      frameConsumed: (ageSeconds: number) => {
        record.consumedAges.push(ageSeconds);
        for (const listener of this.#frameAgeListeners) listener(ageSeconds);
      },
      pacingFrom: (current: () => ViewerPacing) => {
        record.pacing = current;
      },
      release: () => {
        record.releaseCalls++;
        record.released = true;
      },
    };
  }

  onFrameAge(listener: (ageSeconds: number) => void): () => void {
    this.#frameAgeListeners.add(listener);
    return () => this.#frameAgeListeners.delete(listener);
  }

  status(): CameraStatus {
    const latest = this.ring.latest();
    const clients: ClientStatus[] = this.activeViewers.map((v) => {
      const c: ClientStatus = {
        id: v.id,
        kind: v.kind,
        since: v.since,
        frames: v.frames,
        bytes: v.bytes,
        fps: 0,
      };
      if (v.remote !== undefined) c.remote = v.remote;
      if (v.fpsCap !== undefined) c.fpsCap = v.fpsCap;
      return c;
    });
    return {
      name: this.name,
      port: this.port,
      protocol: this.protocol,
      detectedProtocol: this.detectedProtocol,
      protocolSwitches: 0,
      sensor: null,
      online: this.online,
      lastError: this.online ? null : 'offline (fake)',
      fps: { received: 0, served: 0 },
      kBps: 0,
      frames: this.ring.nextIndex,
      bytes: this.#bytesIn,
      bytesSkipped: 0,
      crcErrors: 0,
      resyncs: 0,
      truncated: 0,
      oversized: 0,
      deviceDrops: 0,
      deviceRestarts: 0,
      clients,
      lastFrame: latest
        ? { index: latest.index, bytes: latest.frame.length, timestamp: latest.timestamp }
        : null,
      info: this.info,
      logs: [...this.logs],
      controls: this.controls(),
      idle: null,
    };
  }
}
