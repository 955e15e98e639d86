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
import { JpegWalker } from './jpeg-walker.js';
import {
  DEFAULT_MAX_FRAME_BYTES,
  type Decoder,
  type DecoderOptions,
  type DecoderStats,
  type DeviceEvent,
  emptyStats,
} from './types.js';

const SOI = Buffer.from([0xff, 0xd8, 0xff]);
/** A candidate that got this far had a complete `FF D8 FF`: abandoning it is a resync. */
const SIGNATURE_BYTES = 3;

interface Span {
  data: Buffer;
  from: number;
  to: number;
}

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

export class JpegStreamDecoder implements Decoder {
  readonly protocol = 'jpeg' as const;
  readonly stats: DecoderStats = emptyStats();
  readonly maxFrameBytes: number;

  readonly #walker = new JpegWalker();
  /** A candidate frame is being walked. */
  #inFrame = false;
  /** The candidate grew past maxFrameBytes: keep walking, keep nothing. */
  #discard = false;
  /** Bytes of the candidate carried over from earlier spans (valid when #accLen > 0). */
  #acc: Buffer = Buffer.alloc(0);
  #accLen = 0;
  /** Spans still to scan in this push (a rescan goes on top of what remains). */
  readonly #work: Span[] = [];

  constructor(options: DecoderOptions = {}) {
    const { maxFrameBytes = DEFAULT_MAX_FRAME_BYTES } = options;
    if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 4) {
      throw new TypeError(`"maxFrameBytes" must be a whole number ≥ 4, got ${maxFrameBytes}`);
    }
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Bytes held between pushes (≤ maxFrameBytes). */
  get bufferedBytes(): number {
    return this.#accLen;
  }

  push(chunk: Uint8Array): DeviceEvent[] {
    const out: DeviceEvent[] = [];
    const data = asBuffer(chunk);
    this.stats.bytesIn += data.length;
    this.#scan(data, 0, data.length, out);
    this.#drain(out);
    return out;
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
        Math.min(Math.max(need, this.#acc.length * 2, 16 * 1024), this.maxFrameBytes),
      );
      this.#acc.copy(grown, 0, 0, this.#accLen);
      this.#acc = grown;
    }
    data.copy(this.#acc, this.#accLen, from, to);
    this.#accLen = need;
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
      const r = walker.feed(data, p, to);
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
        return;
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
          const jpeg = Buffer.allocUnsafe(length);
          this.#acc.copy(jpeg, 0, 0, this.#accLen);
          data.copy(jpeg, this.#accLen, frameFrom, r.end);
          this.#accLen = 0;
          stats.frames++;
          out.push({ type: 'frame', jpeg });
        }
        p = r.end;
        continue;
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
          p = at;
        } else {
          p = r.restart ? at - 1 : at;
        }
        continue;
      }
      if (r.restart) {
        // The device began a new image inside this one: count it cut short, start over at the FF.
        stats.truncated++;
        stats.resyncs++;
        stats.bytesSkipped += offset - 1;
        if (at > frameFrom) {
          this.#accLen = 0;
          this.#inFrame = false;
          p = at - 1;
        } else {
          this.#startFrame();
          walker.feed(SOI, 0, 1);
          this.#append(SOI, 0, 1);
          p = at;
        }
        continue;
      }
      // Not a JPEG after all (false SOI, corrupt header): rescan from the byte after its first.
      if (this.#accLen === 0) {
        this.#abandon();
        p = frameFrom + 1;
        continue;
      }
      // The frame began in an earlier span: its carried bytes [1..] are rescanned first, then this span.
      this.#work.push({ data, from: frameFrom, to });
      this.#abandon();
      return;
    }
  }
}
