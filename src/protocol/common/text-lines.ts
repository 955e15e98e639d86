/**
 * Assembles printable device text (Serial.println output, ESP-IDF logs) one byte
 * at a time from the bytes that are not part of a binary frame. A byte that is not
 * printable ASCII turns the pending partial line into junk. A line is only accepted
 * when it started at a boundary: the start of the stream, after a line end, after a
 * frame (`boundary()`), or after NUL bytes (what a UART reads from an idle or
 * wrong-baud line). So the printable runs inside a broken binary frame that is being
 * rescanned never come out as log lines. Pure and bounded.
 */

const LF = 0x0a;
const CR = 0x0d;
const TAB = 0x09;

/** Longest line kept; a longer run of text is cut into lines of this length. */
export const MAX_TEXT_LINE = 256;

/** What each byte value is to the line reader (`feed` looks it up instead of branching). */
const BINARY = 0;
const PRINTABLE = 1;
const LINE_END = 2;
const RETURN = 3;
const CLASS = new Uint8Array(256).fill(BINARY);
for (let b = 0x20; b < 0x7f; b++) CLASS[b] = PRINTABLE;
CLASS[TAB] = PRINTABLE;
CLASS[LF] = LINE_END;
CLASS[CR] = RETURN;

/** A table of the bytes where `feed` must stop (a frame may start there), one entry per byte value. */
export function stopTable(bytes: readonly number[]): Uint8Array {
  const t = new Uint8Array(256);
  for (const b of bytes) t[b] = 1;
  return t;
}

export class TextLineReader {
  /** The pending line's characters (never more than MAX_TEXT_LINE: a full line is handed out at once). */
  private readonly chars = new Uint8Array(MAX_TEXT_LINE);
  private count = 0;
  /** Raw bytes of the pending line (characters plus any CR seen inside it). */
  private raw = 0;
  /** Bytes judged junk since the last `takeSkipped()`. */
  private skipped = 0;
  /** Raw byte count of the line returned by the last `push` (terminator included). */
  lastRaw = 0;
  /** The pending line started at a boundary. */
  #clean = true;
  /** Rescanning a broken frame: NULs do not make a boundary until the next line end. */
  #tainted = false;

  /** The line completed by the last `feed`, or null. */
  line: string | null = null;

  /**
   * What can end the junk being read (a pending line that did not start at a boundary): a line
   * end, a frame start, and, unless a broken frame is being rescanned, a NUL. 0 when a line is
   * being read (every byte counts); 1: junk until a line end; 2: junk until a line end or a NUL.
   */
  get junkUntil(): 0 | 1 | 2 {
    return this.#clean ? 0 : this.#tainted ? 1 : 2;
  }

  /**
   * buf[from, to) while `junkUntil` is not 0, holding none of what ends it: none of it can be text. Leaves
   * the reader exactly as `push`ing it byte by byte would (the trailing printable run still
   * pending, cut every MAX_TEXT_LINE characters), at the cost of one look at that run.
   */
  skipJunk(buf: Uint8Array, from: number, to: number): void {
    const n = to - from;
    let k = 0;
    while (k < n && CLASS[buf[to - 1 - k]!] === PRINTABLE) k++;
    let pending: number;
    if (k < n) {
      pending = k % MAX_TEXT_LINE; // a binary byte reset the line; what follows it is pending
      this.count = pending;
    } else if (this.count + n >= MAX_TEXT_LINE) {
      pending = (this.count + n) % MAX_TEXT_LINE; // cut as it grew
      this.count = pending;
    } else {
      pending = this.raw + n;
      this.count += n;
    }
    this.skipped += this.raw + n - pending;
    this.raw = pending;
  }

  /** Bytes retained for the pending line. */
  get pending(): number {
    return this.raw;
  }

  /**
   * Feed buf[from, to) as `push` would, byte by byte, but stop before the first byte whose
   * `stops` entry is set (it is not consumed), right after a byte that completes a line (then
   * `line` holds it), and right after a byte that turns what follows into junk (`junkUntil`).
   * Returns the offset reached; `line` is null when no line completed.
   * Runs of binary bytes — most of what a broken frame's rescan sees — cost one tight loop.
   */
  feed(buf: Uint8Array, from: number, to: number, stops: Uint8Array): number {
    // The state lives in locals for the loop: this runs over every byte of a broken frame's rescan.
    const chars = this.chars;
    let count = this.count;
    let raw = this.raw;
    let skipped = this.skipped;
    let clean = this.#clean;
    let line: string | null = null;
    let i = from;
    while (i < to) {
      const b = buf[i]!;
      if (stops[b] === 1) break;
      i++;
      const kind = CLASS[b];
      if (kind === PRINTABLE) {
        // Text that did not start at a boundary is thrown away anyway: only count it.
        if (clean) chars[count] = b;
        count++;
        raw++;
        if (count < MAX_TEXT_LINE) continue;
        // A full line: cut here, it keeps its status (as `push` does).
      } else if (kind === BINARY) {
        skipped += raw + 1;
        raw = 0;
        count = 0;
        clean = b === 0x00 && !this.#tainted;
        // Junk from here on: the caller can jump over it (`skipJunk`) instead of reading on.
        if (!clean) break;
        continue;
      } else if (kind === LINE_END) {
        raw++;
      } else {
        if (raw > 0) raw++; // CR inside a line; one before any text is a `\n\r` leftover, consumed
        continue;
      }
      // A line ends here (cut, or at LF, after which text may start).
      if (clean) {
        line = this.#text(count);
        this.lastRaw = raw;
      } else {
        skipped += raw;
      }
      count = 0;
      raw = 0;
      if (kind === LINE_END) {
        clean = true;
        this.#tainted = false;
      }
      if (line !== null) break;
    }
    this.count = count;
    this.raw = raw;
    this.skipped = skipped;
    this.#clean = clean;
    this.line = line;
    return i;
  }

  /** The pending characters as a line (trimmed). */
  #text(count: number): string {
    return Buffer.from(this.chars.buffer, this.chars.byteOffset, count).toString('latin1').trim();
  }

  /**
   * Feed one byte. Returns the completed line (without CR/LF, may be empty) when
   * `b` ends one, else null.
   */
  push(b: number): string | null {
    if (b === LF) return this.finish(1);
    if (b === CR) {
      // A CR with nothing before it is a line-end leftover (`\n\r` endings): consumed.
      if (this.raw > 0) this.raw++;
      return null;
    }
    if ((b >= 0x20 && b < 0x7f) || b === TAB) {
      this.chars[this.count++] = b;
      this.raw++;
      if (this.count >= MAX_TEXT_LINE) return this.finish(0);
      return null;
    }
    // Not text (binary data, line noise): the most common byte in a rescan, so it allocates nothing.
    this.skipped += this.raw + 1;
    this.raw = 0;
    this.count = 0;
    this.#clean = b === 0x00 && !this.#tainted;
    return null;
  }

  /** A frame or packet just ended: text may start here. */
  boundary(): void {
    this.#clean = true;
    this.#tainted = false;
  }

  /** Rescanning bytes of a broken frame: text only counts after the next boundary. */
  taint(): void {
    this.#clean = false;
    this.#tainted = true;
  }

  /** The pending partial line is junk (a frame started in the middle of it). */
  abandon(): void {
    this.skipped += this.raw;
    this.reset();
  }

  /** Count bytes of a completed line the caller decided to throw away. */
  reject(rawBytes: number): void {
    this.skipped += rawBytes;
  }

  /** Junk bytes counted since the last call. */
  takeSkipped(): number {
    const n = this.skipped;
    this.skipped = 0;
    return n;
  }

  private finish(terminator: number): string | null {
    const raw = this.raw + terminator;
    const text = this.#text(this.count);
    const clean = this.#clean;
    this.reset();
    // A forced split keeps the line's status; a line end is a boundary.
    if (terminator > 0) {
      this.#clean = true;
      this.#tainted = false;
    }
    if (!clean) {
      this.skipped += raw;
      return null;
    }
    this.lastRaw = raw;
    return text;
  }

  private reset(): void {
    this.count = 0;
    this.raw = 0;
  }
}
