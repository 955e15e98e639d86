/**
 * A `CameraHandle` over a real `RingBuffer`, for tests and benchmarks of the
 * HTTP layer: push frames by hand, flip `online`, program `control()`, and read
 * back which viewers attached, what they were sent, and whether they released.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  actionControl,
  type ControlSpec,
  enumControl,
  intControl,
  withValue,
} from '../../src/control/schema.js';
import type { ProtocolName, ProtocolOption } from '../../src/protocol/types.js';
import {
  type CameraHandle,
  type CameraStatus,
  type ClientStatus,
  ControlError,
  type ControlResult,
  type ViewerLease,
} from '../../src/stream/camera-api.js';
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

/** Specs published for the control names the tests use most; any other name is published as an action. */
const KNOWN_CONTROLS: Readonly<Record<string, ControlSpec>> = {
  quality: intControl('quality', 'JPEG quality', 4, 63, 'lower is better').spec,
  framesize: enumControl('framesize', 'Resolution', ['QVGA', 'VGA', 'SVGA']).spec,
};

function specFor(control: string | ControlSpec): ControlSpec {
  if (typeof control !== 'string') return control;
  return KNOWN_CONTROLS[control] ?? actionControl(control, control).spec;
}

export type ControlHandler = (
  variable: string,
  value: string | undefined,
  signal?: AbortSignal,
) => Promise<ControlResult>;

export interface ViewerRecord extends Omit<ClientStatus, 'fps'> {
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
  /** Accepted controls (a name, or the spec to publish for it), default `['quality', 'framesize']`. */
  controls?: (string | ControlSpec)[];
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
  /** The control schema `status()` publishes (each spec's value filled in from `info` when it holds one). */
  controlSpecs: ControlSpec[];
  /** Every `control()` call, in order. */
  readonly controlCalls: { variable: string; value: string | undefined }[] = [];
  /** What `control()` does; by default: ok for supported variables, ControlError 400 otherwise. */
  controlHandler: ControlHandler;
  /** Every viewer that ever attached, by id. */
  readonly viewers = new Map<number, ViewerRecord>();
  #nextViewerId = 1;
  #bytesIn = 0;

  constructor(name = 'cam', options: FakeCameraOptions = {}) {
    this.name = name;
    this.ring = new RingBuffer(options.capacity ?? 10);
    this.online = options.online ?? true;
    this.port = options.port ?? 'fake';
    this.controlSpecs = (options.controls ?? ['quality', 'framesize']).map(specFor);
    this.controlHandler = async (variable, value) => {
      if (!this.supportedControls.includes(variable)) {
        throw new ControlError(`unsupported variable "${variable}"`, 400, this.supportedControls);
      }
      return { ok: true, reply: `ok ${variable}=${value ?? ''}` };
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

  /** Names of the accepted controls; setting names publishes a spec for each (see `KNOWN_CONTROLS`). */
  get supportedControls(): string[] {
    return this.controlSpecs.map((s) => s.name);
  }

  set supportedControls(controls: (string | ControlSpec)[]) {
    this.controlSpecs = controls.map(specFor);
  }

  controls(): readonly string[] {
    return this.supportedControls;
  }

  async control(variable: string, value: string | undefined, signal?: AbortSignal): Promise<ControlResult> {
    this.controlCalls.push({ variable, value });
    return this.controlHandler(variable, value, signal);
  }

  attachViewer(meta: { kind: 'stream' | 'snapshot'; remote?: string; fpsCap?: number }): ViewerLease {
    const id = this.#nextViewerId++;
    const record: ViewerRecord = {
      id,
      kind: meta.kind,
      since: Date.now() / 1000,
      frames: 0,
      bytes: 0,
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
      release: () => {
        record.releaseCalls++;
        record.released = true;
      },
    };
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
      controls: this.controlSpecs.map((spec) => withValue(spec, this.info?.[spec.name])),
      idle: null,
    };
  }
}
