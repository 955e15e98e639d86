// PLACEHOLDER API (issue 2): the real incremental JPEG segment walker replaces this body.

/** Result of feeding bytes of one candidate JPEG to the walker. */
export type WalkResult =
  /** Every byte in [start, end) was consumed; the frame is not finished yet. */
  | { kind: 'need-more' }
  /** EOI found: `end` is the offset in the chunk just past `FF D9`. */
  | { kind: 'done'; end: number }
  /** The bytes are not a valid JPEG structure; `at` is the chunk offset where it broke. Caller backs off and rescans. */
  | { kind: 'invalid'; at: number };

/**
 * Incremental JPEG structure walker: SOI, length-prefixed segments up to SOS,
 * entropy-coded data (skipping FF 00, RST0-7 and fill bytes), further segments
 * (progressive: several SOS), to EOI. Never splits on the first FF D9.
 */
export class JpegWalker {
  /** Bytes of the current frame walked so far. */
  length = 0;
  /** Start a new frame; the next byte fed must be the FF of SOI. */
  reset(): void {
    this.length = 0;
  }
  feed(_chunk: Uint8Array, _start: number, _end: number): WalkResult {
    return { kind: 'need-more' };
  }
}
