/**
 * The viewer page's binary frame message (one WebSocket message per picture):
 * a 24-byte little-endian header, then the JPEG. Built once per ring entry and
 * camera, and shared by every page that watches that camera (one socket write
 * each, no copy per page). The page reads it in `src/web/frame-message.ts`; a
 * test round-trips one through the other.
 *
 * | offset | size | field                                                        |
 * |--------|------|--------------------------------------------------------------|
 * | 0      | 2    | header length in bytes (u16, 24): the JPEG starts there      |
 * | 2      | 1    | kind: 1 = camera frame, 2 = placeholder (NO SIGNAL card)     |
 * | 3      | 1    | reserved, 0                                                  |
 * | 4      | 4    | camera: its position in the gateway's camera list (u32)      |
 * | 8      | 8    | frame index (u64, the ring index, as `X-Frame-Index`; 0 for a placeholder) |
 * | 16     | 8    | timestamp: host receive time, epoch seconds (f64, as `X-Timestamp`; 0 for a placeholder) |
 * | 24     | …    | the JPEG                                                     |
 */
import type { RingbufferEntry } from './ring-buffer.js';

export const VIEWER_HEADER_BYTES = 24;
export const VIEWER_KIND_FRAME = 1;
export const VIEWER_KIND_PLACEHOLDER = 2;

function message(kind: number, camera: number, index: number, timestamp: number, jpeg: Uint8Array): Buffer {
  const out = Buffer.allocUnsafeSlow(VIEWER_HEADER_BYTES + jpeg.length);
  out.writeUInt16LE(VIEWER_HEADER_BYTES, 0);
  out.writeUInt8(kind, 2);
  out.writeUInt8(0, 3);
  out.writeUInt32LE(camera, 4);
  out.writeBigUInt64LE(BigInt(index), 8);
  out.writeDoubleLE(timestamp, 16);
  out.set(jpeg, VIEWER_HEADER_BYTES);
  return out;
}

/** One camera's frame messages: the newest one is kept, so every page watching it gets the same buffer. */
export class ViewerMessages {
  readonly #camera: number;
  #entry: RingbufferEntry | undefined;
  #frame: Buffer | undefined;
  #placeholder: Buffer | undefined;

  /** @param camera the camera's position in the gateway's camera list */
  constructor(camera: number) {
    this.#camera = camera;
  }

  /** The camera's position these messages carry. */
  get camera(): number {
    return this.#camera;
  }

  /** The message carrying this ring entry. */
  frame(entry: RingbufferEntry): Buffer {
    if (this.#entry !== entry || this.#frame === undefined) {
      this.#entry = entry;
      this.#frame = message(VIEWER_KIND_FRAME, this.#camera, entry.index, entry.timestamp, entry.frame);
    }
    return this.#frame;
  }

  /** The message carrying the placeholder JPEG (always the same one per camera). */
  placeholder(jpeg: Uint8Array): Buffer {
    this.#placeholder ??= message(VIEWER_KIND_PLACEHOLDER, this.#camera, 0, 0, jpeg);
    return this.#placeholder;
  }
}
