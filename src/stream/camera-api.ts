/**
 * What the HTTP layer needs from a camera. `src/stream/camera.ts` implements it
 * for real sources (serial port, replay, demo); tests implement it over a bare
 * RingBuffer. One interface, so several cameras are the normal case.
 */
import type { ControlSpec } from '../control/schema.js';
import type { ProtocolName, ProtocolOption } from '../protocol/types.js';
import type { RingBuffer } from './ring-buffer.js';

/** One connected viewer as shown in `/status`. */
export interface ClientStatus {
  id: number;
  kind: 'stream' | 'snapshot';
  /** Remote address:port, when known. */
  remote?: string;
  /** `?fps=` cap asked for, if any. */
  fpsCap?: number;
  /** When the client connected (epoch seconds). */
  since: number;
  frames: number;
  bytes: number;
  /** Frames per second actually sent to this client, over the last few seconds. */
  fps: number;
}

export interface CameraStatus {
  name: string;
  /** Serial device path, `demo`, or `replay:<file>`. */
  port: string;
  /** What was asked for (`auto` or a concrete protocol). */
  protocol: ProtocolOption;
  /** What the bytes turned out to be; null until auto-detection decides. */
  detectedProtocol: ProtocolName | null;
  online: boolean;
  /** Last error from the source (e.g. "port busy"), null when healthy. */
  lastError: string | null;
  fps: { received: number; served: number };
  /** Received payload rate in kB/s (1 kB = 1000 bytes), over the last few seconds. */
  kBps: number;
  frames: number;
  /** Bytes read from the device. */
  bytes: number;
  bytesSkipped: number;
  crcErrors: number;
  resyncs: number;
  truncated: number;
  oversized: number;
  deviceDrops: number;
  deviceRestarts: number;
  clients: ClientStatus[];
  lastFrame: { index: number; bytes: number; timestamp: number; width?: number; height?: number } | null;
  /** Device info (CAMF type 03 JSON), null until the device sent one. */
  info: Record<string, unknown> | null;
  /** The last device log lines, oldest first. */
  logs: string[];
  /**
   * What this camera accepts on `/control` (empty: none): the published specs
   * (`src/control/schema.ts`), which the viewer renders its inputs from, or
   * just the names from a camera that publishes no schema yet.
   */
  controls: ControlSpec[] | string[];
  /** Idle saving (`--idle-stop`): null when off. */
  idle: { stopAfterSeconds: number; stopped: boolean } | null;
}

export interface ControlResult {
  ok: boolean;
  /** The device's reply text (`ok`, `ok <detail>`, `error <reason>`), or what was sent for devices that do not answer. */
  reply: string;
}

/** A control request that cannot be carried out; `status` is the HTTP status to answer with. */
export class ControlError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 409 | 503 | 504,
    /** For 400 "unsupported variable": what this camera does support. */
    readonly supported?: readonly string[],
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

/** Handed to a viewer while it watches; counts what it was sent and releases it once. */
export interface ViewerLease {
  readonly id: number;
  frameSent(bytes: number): void;
  release(): void;
}

export interface CameraHandle {
  readonly name: string;
  readonly ring: RingBuffer;
  /** True while the source delivers bytes (port open, replay running). */
  readonly online: boolean;
  status(): CameraStatus;
  /** Control variables this camera accepts (empty when it cannot be controlled). */
  controls(): readonly string[];
  /** Send a control request to the device; throws ControlError (400 unsupported/bad value, 503 offline, 504 no reply). */
  control(variable: string, value: string | undefined, signal?: AbortSignal): Promise<ControlResult>;
  /** Register a stream client or snapshot request; wakes an idle-stopped camera. */
  attachViewer(meta: { kind: 'stream' | 'snapshot'; remote?: string; fpsCap?: number }): ViewerLease;
}
