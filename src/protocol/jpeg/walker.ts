/**
 * Incremental JPEG structure walker. It follows the real structure of a JPEG instead of
 * splitting on the first `FF D9`: SOI, length-prefixed segments (APPn — an EXIF thumbnail,
 * a whole nested JPEG, is skipped with its APP1 — DQT, DHT, SOFn, DRI, COM …) jumped over by
 * their length, SOS then entropy-coded data where `FF 00` (stuffing), `FF D0–D7` (restart)
 * and `FF FF` (fill) are skipped and any other marker ends the scan (progressive JPEGs: more
 * segments and more scans follow), up to EOI.
 *
 * It validates as it goes so that junk that merely starts with `FF D8 FF` is rejected early:
 * SOI must be followed by a marker; marker codes must be real segment markers; lengths must
 * be ≥ 2 and fit their segment type (SOFn, SOS, DRI exactly; DQT, DHT within bounds); table
 * ids must be legal; APP0 must be JFIF (with its exact length), JFXX or AVI1 and other APPn must
 * start with an ASCII identifier; a scan needs a
 * frame header before it; EOI needs a scan before it; RSTn, TEM or a second SOI outside
 * entropy data are errors. So `FF D8 FF E0 7F 12 …garbage` fails at its 5th body byte.
 *
 * Entropy data is crossed with `indexOf(0xFF)` (memchr), so the per-byte cost is native.
 */

/** Result of feeding bytes of one candidate JPEG to the walker. */
export type WalkResult =
  /** Every byte in [start, end) was consumed; the frame is not finished yet. */
  | { kind: 'need-more' }
  /** EOI found: `end` is the offset in the chunk just past `FF D9`. */
  | { kind: 'done'; end: number }
  /**
   * The bytes are not a valid JPEG structure; `at` is the chunk offset where it broke (the
   * walker's `length` is then the offset of that byte within the frame). Caller backs off and
   * rescans. `restart` is true when the breaking byte is the `D8` of an `FF D8` (SOI) where a
   * marker or entropy data was expected: the image was cut short and a new one starts at the
   * `FF` just before `at` (frame offset `length - 1`).
   */
  | { kind: 'invalid'; at: number; restart?: boolean };

const S_SOI0 = 0; // expect FF of SOI
const S_SOI1 = 1; // expect D8
const S_MARK = 2; // expect FF starting the next marker
const S_CODE = 3; // after FF: expect a marker code (FF = fill)
const S_LEN0 = 4; // segment length, high byte
const S_LEN1 = 5; // segment length, low byte
const S_CAPTURE = 6; // collecting the first bytes of a segment to validate it
const S_SKIP = 7; // skipping the rest of a segment
const S_ENT = 8; // entropy-coded data
const S_ENTFF = 9; // entropy data, just after an FF
const S_DONE = 10;
const S_BAD = 11;

const isBuffer = Buffer.isBuffer;

/** Ranges of entropy data up to this long are searched for FF in JS rather than by `indexOf`. */
const SHORT_SCAN = 16;

const NEED_MORE: WalkResult = Object.freeze({ kind: 'need-more' });

/** Marker codes that begin a length-prefixed segment. */
const SEGMENT = new Uint8Array(256);
for (let m = 0xc0; m <= 0xcf; m++) SEGMENT[m] = 1; // SOFn, DHT (C4), JPG (C8), DAC (CC)
for (let m = 0xda; m <= 0xfe; m++) SEGMENT[m] = 1; // SOS, DQT, DNL, DRI, DHP, EXP, APPn, JPGn, COM

/** After an `FF` in entropy data: stuffing (`00`) or a restart marker (`D0–D7`), both part of the data. */
function continuesEntropy(b: number): boolean {
  return b === 0x00 || (b >= 0xd0 && b <= 0xd7);
}

function isSof(m: number): boolean {
  return m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
}

/** Bytes of a segment's body needed to validate it. */
function captureBytes(m: number): number {
  if (m === 0xda || m === 0xdb || m === 0xc4) return 1; // Ns; Pq/Tq; Tc/Th
  if (isSof(m)) return 6; // P, Y, X, Nf
  if (m === 0xe0) return 14; // 'JFIF\0' version units Xdensity Ydensity Xthumb Ythumb (or 'JFXX\0', 'AVI1')
  if (m > 0xe0 && m <= 0xef) return 1; // first byte of the identifier string
  return 0;
}

/** Largest legal length field: four 16-bit quantisation tables; eight Huffman tables of 256 codes. */
function maxLength(m: number): number {
  if (m === 0xdb) return 2 + 4 * 129;
  if (m === 0xc4) return 2 + 8 * (17 + 256);
  return 0xffff;
}

/** Smallest legal length field for a segment. */
function minLength(m: number): number {
  if (m === 0xdb) return 2 + 65; // DQT: one 8-bit table
  if (m === 0xc4) return 2 + 17; // DHT: class/id + 16 counts
  if (m === 0xdd) return 4; // DRI
  if (m === 0xda) return 2 + 1 + 2 + 3; // SOS, one component
  if (isSof(m)) return 2 + 6 + 3; // SOF, one component
  return 2;
}

export class JpegWalker {
  /** Bytes of the current frame walked so far. */
  length = 0;
  #state = S_SOI0;
  #marker = 0;
  #segLen = 0;
  /** Bytes of the current segment body still to skip (after any capture). */
  #remaining = 0;
  readonly #cap = new Uint8Array(16);
  #capLen = 0;
  #capNeed = 0;
  #sawSof = false;
  #sawSos = false;

  /** Start a new frame; the next byte fed must be the FF of SOI. */
  reset(): void {
    this.length = 0;
    this.#state = S_SOI0;
    this.#sawSof = false;
    this.#sawSos = false;
  }

  /** True between a `done` result and the next `reset()`. */
  get finished(): boolean {
    return this.#state === S_DONE;
  }

  /**
   * The common case of a small read in the middle of an image: when the walker is inside entropy
   * data and buf[start, end) holds only entropy bytes (no `FF` other than stuffing `FF 00` or a
   * restart marker, none at the very end), consume them and return true. Otherwise change nothing
   * and return false: `feed` then takes the range. Same result as `feed`, minus its dispatch.
   */
  skipEntropy(buf: Buffer, start: number, end: number): boolean {
    if (this.#state !== S_ENT) return false;
    let p = start;
    for (;;) {
      const ff = buf.indexOf(0xff, p);
      if (ff < 0 || ff >= end) break;
      if (ff + 1 >= end) return false;
      if (!continuesEntropy(buf[ff + 1]!)) return false;
      p = ff + 2;
    }
    this.length += end - start;
    return true;
  }

  /** Walk chunk[start, end). After `done` or `invalid`, call `reset()` before feeding again. */
  feed(chunk: Uint8Array, start: number, end: number): WalkResult {
    if (this.#state === S_DONE || this.#state === S_BAD) return this.#bad(start);
    const buf = isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let i = start;
    let state = this.#state;
    while (i < end) {
      switch (state) {
        case S_ENT: {
          let ff: number;
          if (end - i <= SHORT_SCAN) {
            // A few bytes (a small serial read): a plain loop beats a native call.
            ff = i;
            while (ff < end && buf[ff] !== 0xff) ff++;
          } else {
            ff = buf.indexOf(0xff, i);
          }
          if (ff < 0 || ff >= end) {
            i = end;
            break;
          }
          i = ff + 1;
          state = S_ENTFF;
          break;
        }
        case S_ENTFF: {
          const b = buf[i]!;
          if (continuesEntropy(b)) {
            state = S_ENT;
            i++;
          } else if (b === 0xff) {
            i++;
          } else if (b === 0xd9) {
            return this.#done(i + 1, start);
          } else if (SEGMENT[b] === 1) {
            this.#marker = b;
            state = S_LEN0;
            i++;
          } else {
            return this.#fail(i, start, b === 0xd8);
          }
          break;
        }
        case S_SKIP: {
          const n = Math.min(this.#remaining, end - i);
          this.#remaining -= n;
          i += n;
          if (this.#remaining === 0) state = this.#marker === 0xda ? S_ENT : S_MARK;
          break;
        }
        case S_MARK:
          if (buf[i] !== 0xff) return this.#fail(i, start, false);
          state = S_CODE;
          i++;
          break;
        case S_CODE: {
          const b = buf[i]!;
          if (b === 0xff) {
            i++;
          } else if (b === 0xd9) {
            if (!this.#sawSos) return this.#fail(i, start, false);
            return this.#done(i + 1, start);
          } else if (SEGMENT[b] === 1) {
            this.#marker = b;
            state = S_LEN0;
            i++;
          } else {
            return this.#fail(i, start, b === 0xd8);
          }
          break;
        }
        case S_LEN0:
          this.#segLen = buf[i]! << 8;
          state = S_LEN1;
          i++;
          break;
        case S_LEN1: {
          const len = this.#segLen | buf[i]!;
          const m = this.#marker;
          if (len < minLength(m) || len > maxLength(m) || (m === 0xda && !this.#sawSof)) {
            return this.#fail(i, start, false);
          }
          if (m === 0xdd && len !== 4) return this.#fail(i, start, false);
          this.#segLen = len;
          this.#capNeed = Math.min(captureBytes(m), len - 2);
          this.#capLen = 0;
          this.#remaining = len - 2 - this.#capNeed;
          state = this.#capNeed > 0 ? S_CAPTURE : this.#remaining > 0 ? S_SKIP : m === 0xda ? S_ENT : S_MARK;
          i++;
          break;
        }
        case S_CAPTURE: {
          this.#cap[this.#capLen++] = buf[i]!;
          if (this.#capLen === this.#capNeed) {
            if (!this.#segmentOk()) return this.#fail(i, start, false);
            state = this.#remaining > 0 ? S_SKIP : this.#marker === 0xda ? S_ENT : S_MARK;
          }
          i++;
          break;
        }
        case S_SOI0:
          if (buf[i] !== 0xff) return this.#fail(i, start, false);
          state = S_SOI1;
          i++;
          break;
        case S_SOI1:
          if (buf[i] !== 0xd8) return this.#fail(i, start, false);
          state = S_MARK;
          i++;
          break;
        default:
          return this.#bad(i);
      }
    }
    this.#state = state;
    this.length += end - start;
    return NEED_MORE;
  }

  /** Check the captured start of a segment (SOS, SOFn, DQT, DHT, APPn) against its type and length. */
  #segmentOk(): boolean {
    const c = this.#cap;
    const len = this.#segLen;
    const m = this.#marker;
    if (m === 0xda) {
      const ns = c[0]!;
      if (ns < 1 || ns > 4 || len !== 6 + 2 * ns) return false;
      this.#sawSos = true;
      return true;
    }
    if (m === 0xdb || m === 0xc4) return c[0]! >> 4 <= 1 && (c[0]! & 0x0f) <= 3; // 8/16-bit or DC/AC; table 0-3
    if (m === 0xe0) {
      // JFIF (its length is exact: 16 + an uncompressed Xthumb × Ythumb RGB thumbnail), JFXX, or
      // AVI1 (MJPEG from webcams).
      if (this.#capLen < 4) return false;
      const id = String.fromCharCode(c[0]!, c[1]!, c[2]!, c[3]!);
      if (id === 'AVI1') return true;
      if (this.#capLen < 5 || c[4] !== 0) return false;
      if (id === 'JFXX') return true;
      return id === 'JFIF' && this.#capLen === 14 && len === 16 + 3 * c[12]! * c[13]!;
    }
    if (m > 0xe0 && m <= 0xef) return c[0]! >= 0x20 && c[0]! <= 0x7e; // 'Exif', 'http://…', 'ICC_PROFILE', 'Adobe' …
    // SOFn: P, Y (may be 0: DNL), X, Nf
    const precision = c[0]!;
    const width = (c[3]! << 8) | c[4]!;
    const nf = c[5]!;
    if ((precision !== 8 && precision !== 12 && precision !== 16) || width === 0 || nf < 1) return false;
    if (len !== 8 + 3 * nf || this.#sawSof) return false;
    this.#sawSof = true;
    return true;
  }

  #done(endAt: number, start: number): WalkResult {
    this.length += endAt - start;
    this.#state = S_DONE;
    return { kind: 'done', end: endAt };
  }

  #fail(at: number, start: number, restart: boolean): WalkResult {
    this.length += at - start;
    this.#state = S_BAD;
    return restart ? { kind: 'invalid', at, restart: true } : { kind: 'invalid', at };
  }

  #bad(at: number): WalkResult {
    return { kind: 'invalid', at };
  }
}
