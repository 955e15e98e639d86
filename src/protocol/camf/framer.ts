/**
 * CAMF framing, integrity and sequence tracking shared by both directions (the device
 * decoder and the command decoder in decoder.ts). Pure: bytes in, events out.
 */
import { copyInto as copyIntoImported, NO_EVENTS as NO_EVENTS_IMPORTED } from '../common/byte-store.js';
import {
  checkMaxFrameBytes,
  DEFAULT_MAX_FRAME_BYTES,
  type DecoderOptions,
  type DecoderStats,
  emptyStats,
} from '../types.js';
import { crc32 as crc32Imported } from './crc32.js';
import { CAMF_HEADER_BYTES, CAMF_MAGIC, CAMF_TRAILER_BYTES } from './frame.js';
import {
  BAD_HEADER_CRC,
  checkHeaderAt,
  isMagicPrefix,
  magicTail,
  NestedFrameSearch,
  OVERSIZED,
} from './frame-checks.js';

// Hot-path helpers bound once: under a loader that compiles ESM imports to getters (tsx, used by
// `npm run bench`) a per-call namespace lookup is a measurable part of a 64-byte push.
const copyInto = copyIntoImported;
const NO_EVENTS = NO_EVENTS_IMPORTED;
const crc32 = crc32Imported;
const isBuffer = Buffer.isBuffer;

const TWO_32 = 0x1_0000_0000;
/** A frame being received is searched for a whole frame nested in it (a lying length) every this many bytes. */
const PROBE_EVERY = 4096;

/** A frame that passed both CRCs. `payload` is owned by the receiver. */
export interface CamfFrame {
  type: number;
  flags: number;
  seq: number;
  timestampUs: number;
  payload: Buffer;
}

function asBuffer(chunk: Uint8Array): Buffer {
  return isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * Framing, integrity and sequence tracking shared by both directions. Subclasses turn
 * good frames into events (`onFrame`) and decide what a restart looks like (`onRestart`).
 *
 * Receiver rules (protocol-camf-v1.md): junk before a magic is skipped and counted; a bad
 * header (CRC, version, length > maxFrameBytes) or a bad payload CRC discards the frame and
 * the search restarts at the byte after its first byte, so bytes lost inside frame k never
 * cost frame k+1; seq gaps are device drops, seq going backwards a restart; unknown types
 * are skipped by length; memory is bounded by maxFrameBytes + overhead. A frame whose claimed
 * bytes turn out to hold a whole valid frame (a length that lies, CRC and all) is given up as
 * truncated as soon as that frame is complete, and its bytes are rescanned (frame-checks.ts).
 */
export abstract class CamfFramer<E> {
  readonly stats: DecoderStats = emptyStats();
  /** Frames with a good CRC whose type this decoder does not handle (skipped by length). */
  unknownTypes = 0;
  /** Frames with a good CRC whose payload made no sense (bad info JSON, a type 01 that is not a JPEG). */
  badPayloads = 0;
  readonly maxFrameBytes: number;

  /**
   * Bytes carried over between pushes: a candidate that starts at stash[0] (a magic prefix,
   * a partial header, or a frame whose header checked out). When the header is valid the stash
   * is a fresh buffer of exactly the frame's size, so the payload is emitted without a copy.
   */
  #stash: Buffer = Buffer.allocUnsafe(CAMF_HEADER_BYTES);
  /**
   * Reused stash for the next header after a frame was handed over (saves an allocation per
   * frame). Never the stash while a resync rescans an old stash: those get a fresh one.
   */
  readonly #headerStash: Buffer = Buffer.allocUnsafe(CAMF_HEADER_BYTES);
  #stashLen = 0;
  /** Total size of the frame in the stash once its header checked out, else 0. */
  #stashFrameBytes = 0;
  #lastSeq = -1;
  /** Searches the claimed frame in the stash for a whole frame nested in it. */
  readonly #nested = new NestedFrameSearch();
  /** Searches a whole claimed frame whose payload CRC failed: was it a lying length? */
  readonly #nestedWhole = new NestedFrameSearch();
  /** Stash length at which the claimed frame is searched again. */
  #probeAt = PROBE_EVERY;
  /** Largest payload accepted for a frame type (`maxPayloadBytes`), bound once. */
  readonly #limit = (type: number): number => this.maxPayloadBytes(type);

  constructor(options: DecoderOptions = {}) {
    this.maxFrameBytes = checkMaxFrameBytes(options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
  }

  /** Bytes held between pushes (never more than maxFrameBytes + CAMF_OVERHEAD_BYTES). */
  get bufferedBytes(): number {
    return this.#stashLen;
  }

  protected abstract onFrame(frame: CamfFrame, out: E[]): void;
  protected abstract onRestart(out: E[]): void;

  /** Largest payload a header of this type may announce (more: refused as oversized). Default `maxFrameBytes`. */
  protected maxPayloadBytes(_type: number): number {
    return this.maxFrameBytes;
  }

  /**
   * Feed bytes; returns the events they completed. When they complete none (most pushes of a
   * serial port's small reads) the result is one shared frozen empty array: iterate it, do not
   * mutate it.
   */
  push(chunk: Uint8Array): E[] {
    const data = asBuffer(chunk);
    const n = data.length;
    this.stats.bytesIn += n;
    // Fast path: the payload of a frame whose header checked out, and this chunk does not finish it.
    const len = this.#stashLen;
    if (this.#stashFrameBytes - len > n) {
      copyInto(this.#stash, len, data, 0, n);
      this.#stashLen = len + n;
      if (this.#stashLen < this.#probeAt) return NO_EVENTS as unknown as E[];
      const out: E[] = [];
      this.#probeNested(out);
      return out.length > 0 ? out : (NO_EVENTS as unknown as E[]);
    }
    const out: E[] = [];
    let pos = 0;
    while (pos < n) {
      if (this.#stashLen === 0) {
        const rest = this.#scan(data, pos, n, out);
        if (rest < n) this.#stashTail(data, rest, n);
        break;
      }
      pos = this.#feedStash(data, pos, out);
    }
    this.#probeNested(out);
    return out.length > 0 ? out : (NO_EVENTS as unknown as E[]);
  }

  /**
   * While the frame being received holds a whole valid frame (its length lied), give it up as
   * truncated and rescan its bytes: the frames inside come out now, not after the claimed length.
   * Whether it is given up does not depend on when this runs (every chunking agrees): a claim
   * holding such a frame counts as truncated however it ends (abandoned, cut by the stream's end,
   * or completed with a bad CRC).
   */
  #probeNested(out: E[]): void {
    while (this.#stashFrameBytes > 0 && this.#stashLen >= this.#probeAt) {
      const nested = this.#nested;
      if (!nested.found(this.#stash, 0, this.#stashLen, this.#stashFrameBytes, this.#limit)) {
        const pending = nested.pendingEnd;
        this.#probeAt =
          pending > 0 ? Math.min(pending, this.#stashLen + PROBE_EVERY) : this.#stashLen + PROBE_EVERY;
        return;
      }
      this.stats.truncated++;
      this.#resyncFromStash(out);
    }
  }

  /** The stash now holds the start of a frame of `total` bytes whose header checked out. */
  #claim(total: number): void {
    this.#stashFrameBytes = total;
    this.#nested.reset();
    this.#probeAt = PROBE_EVERY;
  }

  end(): E[] {
    const out: E[] = [];
    while (this.#stashLen > 0) {
      if (this.#stashFrameBytes > 0) {
        // A frame that started but never finished; what it held may still contain whole frames.
        this.stats.truncated++;
        this.#resyncFromStash(out);
      } else {
        this.stats.bytesSkipped += this.#stashLen;
        this.#stashLen = 0;
      }
    }
    return out;
  }

  /** Copy bytes into the stash until the candidate can be decided; returns the new chunk offset. */
  #feedStash(data: Buffer, pos: number, out: E[]): number {
    const need = this.#stashFrameBytes || CAMF_HEADER_BYTES;
    const take = Math.min(need - this.#stashLen, data.length - pos);
    copyInto(this.#stash, this.#stashLen, data, pos, pos + take);
    this.#stashLen += take;
    pos += take;
    // Still a magic prefix? (the stash starts with one; check the bytes just added). Also when they
    // complete the header: a 'C' kept from the last push is no candidate once 'AMF' does not follow,
    // and is skipped without a resync, as it is when the whole stream arrives at once.
    if (this.#stashFrameBytes === 0 && !isMagicPrefix(this.#stash, 0, this.#stashLen)) {
      this.#resyncFromStash(out);
      return pos;
    }
    if (this.#stashLen < need) return pos;
    if (this.#stashFrameBytes === 0) {
      const total = this.#checkHeader(this.#stash, 0);
      if (total < 0) {
        this.#resyncFromStash(out);
        return pos;
      }
      const frame = Buffer.allocUnsafe(total);
      copyInto(frame, 0, this.#stash, 0, CAMF_HEADER_BYTES);
      this.#stash = frame;
      this.#claim(total);
      return pos;
    }
    // A whole frame is in the stash.
    if (this.#checkPayload(this.#stash, 0, this.#stashFrameBytes, out)) {
      this.#stash = this.#headerStash;
      this.#stashLen = 0;
      this.#stashFrameBytes = 0;
    } else {
      this.#resyncFromStash(out);
    }
    return pos;
  }

  /** The candidate at stash[0] failed: rescan stash[1..] (it logically precedes the rest of the chunk). */
  #resyncFromStash(out: E[]): void {
    const old = this.#stash;
    const len = this.#stashLen;
    this.stats.bytesSkipped++;
    this.#stash = Buffer.allocUnsafe(CAMF_HEADER_BYTES);
    this.#stashLen = 0;
    this.#stashFrameBytes = 0;
    const rest = this.#scan(old, 1, len, out);
    if (rest < len) this.#stashTail(old, rest, len);
  }

  /** Keep data[from, to) — a candidate starting with a magic prefix — for the next push. */
  #stashTail(data: Buffer, from: number, to: number): void {
    const n = to - from;
    let total = 0;
    if (n >= CAMF_HEADER_BYTES) {
      total = this.#checkHeader(data, from);
      // #scan only leaves a full header behind when it checked out.
      this.#stash = Buffer.allocUnsafe(total);
    } else if (this.#stash.length < CAMF_HEADER_BYTES) {
      this.#stash = Buffer.allocUnsafe(CAMF_HEADER_BYTES);
    }
    copyInto(this.#stash, 0, data, from, to);
    this.#stashLen = n;
    if (total > 0) this.#claim(total);
    else this.#stashFrameBytes = 0;
  }

  /**
   * Decode every complete frame in data[from, to). Returns the offset of the first byte not
   * consumed: `to`, or the start of an incomplete candidate (magic prefix, partial header, or a
   * frame with a good header whose payload has not fully arrived).
   */
  #scan(data: Buffer, from: number, to: number, out: E[]): number {
    const stats = this.stats;
    let p = from;
    while (p < to) {
      const m = data.indexOf(CAMF_MAGIC, p);
      if (m < 0 || m + 4 > to) {
        // No magic in [p, to): keep a trailing 'C', 'CA' or 'CAM' for the next push.
        const keep = magicTail(data, p, to);
        stats.bytesSkipped += keep - p;
        return keep;
      }
      stats.bytesSkipped += m - p;
      if (to - m < CAMF_HEADER_BYTES) return m;
      const total = this.#checkHeader(data, m);
      if (total < 0) {
        stats.bytesSkipped++;
        p = m + 1;
        continue;
      }
      if (to - m < total) return m;
      if (!this.#checkPayload(data, m, total, out)) {
        stats.bytesSkipped++;
        p = m + 1;
        continue;
      }
      p = m + total;
    }
    return to;
  }

  /** Validate the 28-byte header at `at` (magic already matched). Returns the frame's total size, or -1. */
  #checkHeader(data: Buffer, at: number): number {
    const total = checkHeaderAt(data, at, this.#limit);
    if (total >= 0) return total;
    this.stats.resyncs++;
    if (total === BAD_HEADER_CRC) this.stats.crcErrors++;
    else if (total === OVERSIZED) this.stats.oversized++;
    return -1;
  }

  /**
   * The whole frame data[at, at + total) failed its payload CRC: a damaged frame (`crcErrors`), or,
   * when a whole valid frame lies inside it, a length that lied (`truncated`, as when the same
   * claim is given up early).
   */
  #countBadPayload(data: Buffer, at: number, total: number): void {
    const search = this.#nestedWhole;
    search.reset();
    if (search.found(data, at, total, total, this.#limit)) {
      this.stats.truncated++;
    } else {
      this.stats.crcErrors++;
      this.stats.resyncs++;
    }
  }

  /** Check the payload CRC of the frame at `at` and hand it on. False when the CRC fails. */
  #checkPayload(data: Buffer, at: number, total: number, out: E[]): boolean {
    const pStart = at + CAMF_HEADER_BYTES;
    const pEnd = at + total - CAMF_TRAILER_BYTES;
    // The stash is a fresh buffer per frame, so a view of it is owned; a frame lying whole in the
    // chunk is copied out first and its CRC taken on the (cache-hot) copy.
    const view = data.subarray(pStart, pEnd);
    const payload = data === this.#stash ? view : Buffer.from(view);
    if (crc32(payload) !== data.readUInt32LE(pEnd)) {
      this.#countBadPayload(data, at, total);
      return false;
    }
    const type = data[at + 5]!;
    const seq = data.readUInt32LE(at + 8);
    const frame: CamfFrame = {
      type,
      flags: data.readUInt16LE(at + 6),
      seq,
      timestampUs: data.readUInt32LE(at + 16) * TWO_32 + data.readUInt32LE(at + 12),
      payload,
    };
    if (this.tracksSeq(type)) this.#trackSeq(seq, out);
    this.onFrame(frame, out);
    return true;
  }

  /** Whether frames of this type take part in seq tracking (the sender's own frames). */
  protected tracksSeq(_type: number): boolean {
    return true;
  }

  #trackSeq(seq: number, out: E[]): void {
    const last = this.#lastSeq;
    this.#lastSeq = seq;
    if (last < 0) return;
    const gap = (seq - last - 1) >>> 0;
    if (gap === 0) return;
    if (gap < 0x8000_0000 && seq !== last) {
      this.stats.deviceDrops += gap;
    } else {
      this.stats.deviceRestarts++;
      this.onRestart(out);
    }
  }
}
