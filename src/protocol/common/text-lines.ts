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

export class TextLineReader {
  private chars: number[] = [];
  /** Raw bytes of the pending line (characters plus any CR seen inside it). */
  private raw = 0;
  /** Bytes judged junk since the last `takeSkipped()`. */
  private skipped = 0;
  /** Raw byte count of the line returned by the last `push` (terminator included). */
  lastRaw = 0;
  /** The pending line started at a boundary. */
  private clean = true;
  /** Rescanning a broken frame: NULs do not make a boundary until the next line end. */
  private tainted = false;

  /** Bytes retained for the pending line. */
  get pending(): number {
    return this.raw;
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
      this.chars.push(b);
      this.raw++;
      if (this.chars.length >= MAX_TEXT_LINE) return this.finish(0);
      return null;
    }
    this.skipped += this.raw + 1;
    this.reset();
    this.clean = b === 0x00 && !this.tainted;
    return null;
  }

  /** A frame or packet just ended: text may start here. */
  boundary(): void {
    this.clean = true;
    this.tainted = false;
  }

  /** Rescanning bytes of a broken frame: text only counts after the next boundary. */
  taint(): void {
    this.clean = false;
    this.tainted = true;
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
    const text = String.fromCharCode(...this.chars).trim();
    const clean = this.clean;
    this.reset();
    // A forced split keeps the line's status; a line end is a boundary.
    if (terminator > 0) {
      this.clean = true;
      this.tainted = false;
    }
    if (!clean) {
      this.skipped += raw;
      return null;
    }
    this.lastRaw = raw;
    return text;
  }

  private reset(): void {
    this.chars = [];
    this.raw = 0;
  }
}
