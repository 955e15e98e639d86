/**
 * Where the next of several byte patterns lies in a buffer, for a scan that only moves forward:
 * each pattern is searched (`indexOf`) once, and again only after the scan passed where it was
 * found — so jumping from boundary to boundary costs each pattern one pass over the bytes, not
 * one per jump.
 */
export class NextOf {
  readonly #patterns: readonly (number | Buffer)[];
  /** Per pattern: where it was found, -1 for nowhere before the end, -2 to search. */
  readonly #at: number[];
  #buf: Buffer = Buffer.alloc(0);
  #end = 0;

  constructor(patterns: readonly (number | Buffer)[]) {
    this.#patterns = patterns;
    this.#at = patterns.map(() => -2);
  }

  /**
   * A new scan of buf[…, end). Bytes after `end` may be searched but never found, nor is a pattern
   * that starts before `end` and ends after it: what lies there is not data (a grown buffer's
   * uninitialised bytes, or stale ones), and a decoder must not act on it.
   */
  reset(buf: Buffer, end: number): void {
    this.#buf = buf;
    this.#end = end;
    this.#at.fill(-2);
  }

  /** The first offset ≥ `from` where one of the patterns picked by `mask` (bit k: pattern k) starts, or the end. */
  next(from: number, mask: number): number {
    let best = this.#end;
    for (let k = 0; k < this.#patterns.length; k++) {
      if ((mask & (1 << k)) === 0) continue;
      let at = this.#at[k]!;
      if (at === -1) continue;
      if (at < from) {
        // Searched in the whole buffer (no view to allocate); a find that reaches past the end does not count.
        const pattern = this.#patterns[k]!;
        at = this.#buf.indexOf(pattern, from);
        if (at + (typeof pattern === 'number' ? 1 : pattern.length) > this.#end) at = -1;
        this.#at[k] = at;
        if (at < 0) continue;
      }
      if (at < best) best = at;
    }
    return best;
  }
}
