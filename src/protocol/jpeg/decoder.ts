/**
 * Bare JPEG stream decoder (protocol `jpeg`): JPEG images back to back, with arbitrary junk
 * between them (an ESP32 ROM boot log, debug prints). Finds `FF D8 FF`, follows the image's
 * structure with `JpegWalker` and emits the exact bytes from SOI to EOI.
 *
 * - A candidate that turns out not to be a JPEG (a false SOI in junk) is abandoned and the
 *   search restarts at the byte after its first byte, so it never swallows the real frame after it.
 * - An `FF D8` where a marker or entropy data must come means the device restarted mid-image:
 *   the cut frame is counted `truncated` and the new image starts right there.
 * - A frame growing past `maxFrameBytes` is dropped (`oversized`): its bytes are walked but not
 *   kept, and the search resumes after it. Memory stays ≤ maxFrameBytes.
 */
import { copyInto as copyIntoImported, NO_EVENTS as NO_EVENTS_IMPORTED } from '../common/byte-store.js';
import {
  checkMaxFrameBytes,
  DEFAULT_MAX_FRAME_BYTES,
  type Decoder,
  type DecoderOptions,
  type DecoderStats,
  type DeviceEvent,
  emptyStats,
} from '../types.js';
import { swallowedSoiAt } from './swallowed.js';
import { JpegWalker, type WalkResult } from './walker.js';

// Hot-path helpers bound once: under a loader that compiles ESM imports to getters (tsx, used by
// `npm run bench`) a per-call namespace lookup showed up as ~20 % of a 64-byte push.
const copyInto = copyIntoImported;
const NO_EVENTS = NO_EVENTS_IMPORTED;
const isBuffer = Buffer.isBuffer;
const EMPTY: Buffer = Buffer.alloc(0);
/** Smallest buffer for a frame's carried bytes. */
const MIN_CARRY = 16 * 1024;
const SOI = Buffer.from([0xff, 0xd8, 0xff]);
/** A candidate that got this far had a complete `FF D8 FF`: abandoning it is a resync. */
const SIGNATURE_BYTES = 3;

interface Span {
  data: Buffer;
  from: number;
  to: number;
}

function asBuffer(chunk: Uint8Array): Buffer {
  return isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

export class JpegStreamDecoder implements Decoder {
  readonly protocol = 'jpeg' as const;
  readonly stats: DecoderStats = emptyStats();
  readonly maxFrameBytes: number;

  readonly #walker = new JpegWalker();
  /** Walks the thumbnails inside a frame's APPn segments (see `swallowedSoiAt`). */
  readonly #nested = new JpegWalker();
  /** A candidate frame is being walked. */
  #inFrame = false;
  /** The candidate grew past maxFrameBytes: keep walking, keep nothing. */
  #discard = false;
  /** Bytes of the candidate carried over from earlier spans (valid when #accLen > 0). */
  #acc: Buffer = Buffer.alloc(0);
  #accLen = 0;
  /** Capacity for the next frame's carried bytes (≈ the last frame's size plus 1/8). */
  #nextSize = MIN_CARRY;
  /** Spans still to scan in this push (a rescan goes on top of what remains). */
  readonly #work: Span[] = [];
  /** Scratch list of the events of the push in progress. */
  readonly #out: DeviceEvent[] = [];

  constructor(options: DecoderOptions = {}) {
    this.maxFrameBytes = checkMaxFrameBytes(options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
  }

  /** Bytes held between pushes (≤ maxFrameBytes). */
  get bufferedBytes(): number {
    return this.#accLen;
  }

  /**
   * Feed bytes; returns the frames they completed. When they complete none (most pushes of a
   * serial port's small reads) the result is one shared frozen empty array: iterate it, do not
   * mutate it.
   */
  push(chunk: Uint8Array): DeviceEvent[] {
    const data = asBuffer(chunk);
    const n = data.length;
    this.stats.bytesIn += n;
    if (this.#inFrame && !this.#discard && this.#work.length === 0) {
      // Most pushes of small reads land inside an image's entropy data: when the chunk is plain
      // entropy bytes and fits the carried bytes, keep it with one copy and return. Kept this
      // small so V8 inlines the scan (`indexOf`) into it; everything else is in #pushMore.
      const accLen = this.#accLen;
      const acc = this.#acc;
      const walker = this.#walker;
      if (
        accLen + n <= acc.length &&
        walker.length + n <= this.maxFrameBytes &&
        walker.skipEntropy(data, 0, n)
      ) {
        acc.set(data, accLen);
        this.#accLen = accLen + n;
        return NO_EVENTS as unknown as DeviceEvent[];
      }
    }
    return this.#pushMore(data, n);
  }

  #pushMore(data: Buffer, n: number): DeviceEvent[] {
    // Events are collected in a reused array; only a push that completes one returns a fresh copy.
    const out = this.#out;
    if (this.#inFrame && this.#work.length === 0) {
      // A frame in progress: walk the chunk from where the frame stands.
      const p = this.#settle(this.#walker.feed(data, 0, n), data, 0, n, out);
      if (p >= 0) this.#scan(data, p, n, out);
    } else {
      this.#scan(data, 0, n, out);
    }
    if (this.#work.length > 0) this.#drain(out);
    if (out.length === 0) return NO_EVENTS as unknown as DeviceEvent[];
    const events = out.slice();
    out.length = 0;
    return events;
  }

  end(): DeviceEvent[] {
    const out: DeviceEvent[] = [];
    while (this.#inFrame) {
      const walked = this.#walker.length;
      if (this.#discard) {
        this.stats.bytesSkipped += walked;
        this.#inFrame = false;
        this.#discard = false;
        this.#accLen = 0;
      } else {
        // Cut short by the end of the stream; whatever it held is rescanned for whole frames.
        if (walked >= SIGNATURE_BYTES) this.stats.truncated++;
        this.#abandon();
        this.#drain(out);
      }
    }
    return out;
  }

  #drain(out: DeviceEvent[]): void {
    const work = this.#work;
    while (work.length > 0) {
      const span = work.pop()!;
      this.#scan(span.data, span.from, span.to, out);
    }
  }

  /**
   * The candidate is not a JPEG: forget it and queue its bytes after the first for a rescan
   * (they come before whatever is still queued).
   */
  #abandon(): void {
    const stats = this.stats;
    if (this.#walker.length >= SIGNATURE_BYTES) stats.resyncs++;
    stats.bytesSkipped++;
    this.#inFrame = false;
    if (this.#accLen > 1) this.#work.push({ data: this.#acc, from: 1, to: this.#accLen });
    // The old buffer may be queued for the rescan: never write into it again.
    this.#acc = Buffer.alloc(0);
    this.#accLen = 0;
  }

  #append(data: Buffer, from: number, to: number): void {
    const n = to - from;
    const need = this.#accLen + n;
    if (need > this.#acc.length) {
      const grown = Buffer.allocUnsafe(
        Math.min(Math.max(need, this.#acc.length * 2, this.#nextSize), this.maxFrameBytes),
      );
      copyInto(grown, 0, this.#acc, 0, this.#accLen);
      this.#acc = grown;
    }
    copyInto(this.#acc, this.#accLen, data, from, to);
    this.#accLen = need;
  }

  /** The candidate's first `n` bytes in one buffer: the carried ones, then data from `frameFrom` (a rare path). */
  #head(data: Buffer, frameFrom: number, n: number): Buffer {
    const accLen = this.#accLen;
    if (accLen === 0) return data.subarray(frameFrom, frameFrom + n);
    if (n <= accLen) return this.#acc.subarray(0, n);
    return Buffer.concat([this.#acc.subarray(0, accLen), data.subarray(frameFrom, frameFrom + n - accLen)]);
  }

  #startFrame(): void {
    this.#walker.reset();
    this.#inFrame = true;
    this.#discard = false;
    this.#accLen = 0;
  }

  #scan(data: Buffer, from: number, to: number, out: DeviceEvent[]): void {
    const stats = this.stats;
    const walker = this.#walker;
    let p = from;
    while (p < to) {
      if (!this.#inFrame) {
        let s = data.indexOf(SOI, p);
        if (s < 0 || s + SOI.length > to) {
          // No whole signature: an `FF` or `FF D8` at the very end may still become one.
          s =
            data[to - 1] === 0xff
              ? to - 1
              : to - p >= 2 && data[to - 2] === 0xff && data[to - 1] === 0xd8
                ? to - 2
                : to;
          if (s < p) s = to;
        }
        stats.bytesSkipped += s - p;
        p = s;
        if (p >= to) return;
        this.#startFrame();
      }
      // Where this span's part of the frame begins (the frame may have begun in an earlier span).
      const frameFrom = p;
      p = this.#settle(walker.feed(data, p, to), data, frameFrom, to, out);
      if (p < 0) return;
    }
  }

  /**
   * Act on what the walker said about data[frameFrom, to): keep the bytes, emit the frame, or back
   * off. Returns where scanning goes on in `data`, or -1 when this span is finished.
   */
  #settle(r: WalkResult, data: Buffer, frameFrom: number, to: number, out: DeviceEvent[]): number {
    const stats = this.stats;
    const walker = this.#walker;
    if (r.kind === 'need-more') {
      if (!this.#discard) {
        if (walker.length > this.maxFrameBytes) {
          stats.oversized++;
          this.#discard = true;
          this.#accLen = 0;
        } else {
          this.#append(data, frameFrom, to);
        }
      }
      return -1;
    }
    if (r.kind === 'done') {
      const length = walker.length;
      this.#inFrame = false;
      if (this.#discard || length > this.maxFrameBytes) {
        if (!this.#discard) stats.oversized++;
        this.#discard = false;
        this.#accLen = 0;
        stats.bytesSkipped += length;
      } else {
        const accLen = this.#accLen;
        const acc = this.#acc;
        let jpeg: Buffer;
        if (accLen > 0 && length <= acc.length && length * 5 >= acc.length * 4) {
          // The carried bytes' buffer fits the frame snugly (≥ 80 % used): finish the frame in it
          // and hand it over (never written again: the next frame gets a fresh one), saving a copy.
          copyInto(acc, accLen, data, frameFrom, r.end);
          jpeg = acc.subarray(0, length);
          this.#acc = EMPTY;
        } else {
          jpeg = Buffer.allocUnsafe(length);
          if (accLen > 0) copyInto(jpeg, 0, acc, 0, accLen);
          copyInto(jpeg, accLen, data, frameFrom, r.end);
        }
        this.#accLen = 0;
        if (swallowedSoiAt(jpeg, length, this.#nested) > 0) {
          // A lying header length walked over the next image's start: this is the head of one
          // frame glued to the rest of another. Rescan it from its second byte, then the rest.
          stats.resyncs++;
          stats.bytesSkipped++;
          if (r.end < to) this.#work.push({ data, from: r.end, to });
          this.#work.push({ data: jpeg, from: 1, to: length });
          return -1;
        }
        // Frames of one stream are alike: size the next frame's buffer a little above this one.
        this.#nextSize = Math.max(MIN_CARRY, Math.ceil(length * 1.125));
        stats.frames++;
        out.push({ type: 'frame', jpeg });
      }
      return r.end;
    }
    // Invalid structure.
    const at = r.at;
    const offset = walker.length; // frame offset of the breaking byte
    if (this.#discard || offset > this.maxFrameBytes) {
      // Already dropped as oversized: nothing kept to rescan; resume at the breaking byte
      // (or at the FF of a new SOI).
      if (!this.#discard) stats.oversized++;
      this.#discard = false;
      this.#inFrame = false;
      this.#accLen = 0;
      const resume = r.restart ? offset - 1 : offset;
      stats.bytesSkipped += resume;
      if (r.restart && at === frameFrom) {
        // The FF of the new SOI was the last byte before this span.
        this.#startFrame();
        walker.feed(SOI, 0, 1);
        this.#append(SOI, 0, 1);
        return at;
      }
      return r.restart ? at - 1 : at;
    }
    if (
      r.restart &&
      swallowedSoiAt(this.#head(data, frameFrom, offset - 1), offset - 1, this.#nested) === 0
    ) {
      // The device began a new image inside this one: count it cut short, start over at the FF.
      stats.truncated++;
      stats.resyncs++;
      stats.bytesSkipped += offset - 1;
      if (at > frameFrom) {
        this.#accLen = 0;
        this.#inFrame = false;
        return at - 1;
      }
      this.#startFrame();
      walker.feed(SOI, 0, 1);
      this.#append(SOI, 0, 1);
      return at;
    }
    // Not a JPEG after all (false SOI, corrupt header, or an SOI where a marker must come that a
    // lying header length led to, past the next image's start): rescan from the byte after its first.
    if (this.#accLen === 0) {
      this.#abandon();
      return frameFrom + 1;
    }
    // The frame began in an earlier span: its carried bytes [1..] are rescanned first, then this span.
    this.#work.push({ data, from: frameFrom, to });
    this.#abandon();
    return -1;
  }
}
