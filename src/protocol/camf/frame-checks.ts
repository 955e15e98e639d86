/**
 * Checks of CAMF bytes that need no decoder state: a magic prefix, one header, one payload CRC,
 * and the search for a whole frame inside another frame's claimed bytes — the sign of a length
 * that lies. A
 * header with a valid CRC but a lying length (up to `maxFrameBytes`, 4 MiB by default) would
 * otherwise hold the video for the whole claimed length (25 s at 2 Mbaud); real frames keep
 * arriving inside it, and the first one that is whole, both CRCs good, ends the claim.
 */
import { crc32, crc32Js } from './crc32.js';
import {
  CAMF_HEADER_BYTES,
  CAMF_MAGIC,
  CAMF_OVERHEAD_BYTES,
  CAMF_TRAILER_BYTES,
  CAMF_VERSION,
} from './frame.js';

const MAGIC_U32 = 0x464d4143; // 'CAMF' read little-endian

/** Why a header was refused (negative results of `checkHeaderAt`). */
export const BAD_MAGIC = -1;
export const BAD_HEADER_CRC = -2;
export const BAD_VERSION = -3;
export const OVERSIZED = -4;

/** The largest payload a header of a given type may announce. */
export type PayloadLimit = (type: number) => number;

/**
 * The 28-byte header at `at` (all present): the frame's total size (header, payload, trailer), or
 * `BAD_MAGIC`, `BAD_HEADER_CRC`, `BAD_VERSION`, `OVERSIZED` (length over `limit(type)`).
 */
export function checkHeaderAt(data: Buffer, at: number, limit: PayloadLimit): number {
  if (data.readUInt32LE(at) !== MAGIC_U32) return BAD_MAGIC;
  if (crc32Js(data, at, at + 24) !== data.readUInt32LE(at + 24)) return BAD_HEADER_CRC;
  if (data[at + 4] !== CAMF_VERSION) return BAD_VERSION;
  const length = data.readUInt32LE(at + 20);
  return length > limit(data[at + 5]!) ? OVERSIZED : length + CAMF_OVERHEAD_BYTES;
}

/** Whether the payload CRC of the whole frame data[at, at + total) is right. */
export function payloadCrcOk(data: Buffer, at: number, total: number): boolean {
  const end = at + total - CAMF_TRAILER_BYTES;
  return crc32(data.subarray(at + CAMF_HEADER_BYTES, end)) === data.readUInt32LE(end);
}

/**
 * Searches the bytes of a frame whose header checked out (its claim) for a whole, valid CAMF frame
 * starting after the claim's first byte and ending within it. Incremental: call `found` as the
 * claim's bytes arrive; it remembers how far it looked (and a header found whose payload has not
 * fully arrived), so every byte is searched once. `reset()` for the next claim.
 */
export class NestedFrameSearch {
  /** Next offset (relative to the claim) where a nested magic may start. */
  #from = 1;
  /** A nested frame whose header checked out, [start, end) relative to the claim; end 0 when none. */
  #start = 0;
  #end = 0;

  reset(): void {
    this.#from = 1;
    this.#end = 0;
  }

  /** The claim length at which another look is worthwhile: the pending nested frame's end, if any. */
  get pendingEnd(): number {
    return this.#end;
  }

  /**
   * Whether buf[base, base + len) — the first `len` bytes of a claim of `total` bytes — holds a
   * whole frame with good CRCs that ends by `total`.
   */
  found(buf: Buffer, base: number, len: number, total: number, limit: PayloadLimit): boolean {
    const view = buf.subarray(base, base + len);
    for (;;) {
      if (this.#end > 0) {
        if (len < this.#end) return false;
        if (payloadCrcOk(view, this.#start, this.#end - this.#start)) return true;
        this.#from = this.#start + 1;
        this.#end = 0;
      }
      const m = view.indexOf(CAMF_MAGIC, this.#from);
      if (m < 0) {
        this.#from = Math.max(this.#from, len - (CAMF_MAGIC.length - 1));
        return false;
      }
      if (len - m < CAMF_HEADER_BYTES) {
        this.#from = m;
        return false;
      }
      const size = checkHeaderAt(view, m, limit);
      if (size < 0 || m + size > total) {
        this.#from = m + 1;
        continue;
      }
      this.#start = m;
      this.#end = m + size;
    }
  }
}

/** Offset of a magic prefix ('C', 'CA', 'CAM') ending exactly at `to`, or `to`. */
export function magicTail(data: Uint8Array, from: number, to: number): number {
  for (let k = Math.min(3, to - from); k > 0; k--) if (isMagicPrefix(data, to - k, to)) return to - k;
  return to;
}

export function isMagicPrefix(data: Uint8Array, from: number, to: number): boolean {
  const n = Math.min(to - from, 4);
  for (let i = 0; i < n; i++) if (data[from + i] !== CAMF_MAGIC[i]) return false;
  return true;
}
