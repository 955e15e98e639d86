/**
 * What the HTTP layer (and any other consumer) needs from a camera: one narrow
 * interface. `Camera` implements it for real sources (serial port, replay,
 * demo); tests implement it over a bare RingBuffer. Consumers report what they
 * delivered through a `ViewerLease`, never by reaching into camera internals.
 */
import type { ControlSpec } from '../control/schema.js';
import type { RingBuffer } from '../stream/ring-buffer.js';
import type { CameraStatus } from './status.js';

export interface ControlResult {
  ok: boolean;
  /** The device's reply text (`ok`, `ok <detail>`, `error <reason>`), or what was sent for devices that do not answer. */
  reply: string;
}

/** How a stream client is paced now (see README *Slow readers*). */
export interface ViewerPacing {
  /** `fast`: frames go out as its socket takes them; `paced`: sent a frame when it asks for one; `ahead`: paced, sent the next frame as soon as it read the last. */
  mode: 'fast' | 'paced' | 'ahead';
  /** While paced: the frames per second it reads. */
  readFps?: number;
}

/** Handed to a viewer while it watches; counts what it was sent and read, and releases it once. */
export interface ViewerLease {
  readonly id: number;
  /** A frame (or the placeholder) of `bytes` was handed to the client's connection. */
  frameSent(bytes: number): void;
  /** The client read a frame, `ageSeconds` after the camera delivered it (as far as TCP tells). */
  frameConsumed(ageSeconds: number): void;
  /** Where `/status` reads this client's pacing from (asked only when a status is built). */
  pacingFrom(current: () => ViewerPacing): void;
  release(): void;
}

/** Who is watching, as `/status` shows it. */
export interface ViewerMeta {
  kind: 'stream' | 'snapshot';
  /** Remote address:port, when known. */
  remote?: string;
  /** `?fps=` cap asked for, if any. */
  fpsCap?: number;
}

export interface CameraHandle {
  readonly name: string;
  readonly ring: RingBuffer;
  /** True while the source delivers bytes (port open, replay running). */
  readonly online: boolean;
  status(): CameraStatus;
  /** The controls this camera honours, with current values when known (empty when it takes none). */
  controls(): readonly ControlSpec[];
  /** Send a control request; rejects with a `ControlError` (its `kind` says why). */
  control(name: string, value: string | undefined, signal?: AbortSignal): Promise<ControlResult>;
  /** Register a stream client or snapshot request; wakes an idle-stopped camera. */
  attachViewer(meta: ViewerMeta): ViewerLease;
  /**
   * Call `listener` with the age (seconds since this camera delivered it) of every frame a stream
   * client read, as far as TCP tells: what a histogram of frame ages counts. Returns the function
   * that stops it.
   */
  onFrameAge(listener: (ageSeconds: number) => void): () => void;
}

/**
 * Cameras that come and go (a relay's, discovered on the bus): the HTTP layer
 * asks for the current list on every request; the first is the default camera.
 */
export interface CameraDirectory {
  list(): readonly CameraHandle[];
}
