/**
 * How auto-detection recognises bare JPEGs: `FF D8 FF` starting an image the JPEG walker
 * follows to its EOI, followed by text, zero padding or the next `FF D8 FF` — not by a
 * container header (then the JPEG was that container's payload: a device joined mid-stream)
 * nor by other binary bytes (an embedded thumbnail, a damaged frame's payload).
 */
import type { Detection, ScanWindow, Signature } from '../module.js';
import { JpegWalker } from './walker.js';

/** Bytes after a first whole JPEG searched for what follows it. */
export const DETECT_LOOKAHEAD_BYTES = 64;

interface Candidate {
  start: number;
  walker: JpegWalker;
  /** Offset fed to the walker so far. */
  walked: number;
  /** Offset just past its EOI, or -1 while walking. */
  end: number;
}

/** Printable text, CR/LF/TAB or NUL padding: what may follow a bare JPEG. */
function isQuiet(c: number): boolean {
  return (c >= 0x20 && c <= 0x7e) || c === 0x0d || c === 0x0a || c === 0x09 || c === 0x00;
}

/** One detection's bare-JPEG signature: keeps the image being walked between pushes. */
export function jpegSignature(): Signature & { readonly walking: number } {
  return new JpegSignature();
}

/** A class, not a literal with a getter: one is built for every auto-detecting decoder. */
class JpegSignature implements Signature {
  readonly firstBytes: readonly number[] = [0xff];
  readonly framed = false;
  #cand: Candidate | undefined;

  /** Start of the JPEG being followed, or -1. */
  get walking(): number {
    return this.#cand?.start ?? -1;
  }

  reset(): void {
    this.#cand = undefined;
  }

  at(w: ScanWindow, i: number): Detection {
    const b = w.buf;
    const len = w.len;
    if (len - i < 3) return w.final ? 'no' : 'need';
    if (b[i + 1] !== 0xd8 || b[i + 2] !== 0xff) return 'no';
    let cand = this.#cand;
    if (!cand || cand.start !== i) {
      cand = { start: i, walker: new JpegWalker(), walked: i, end: -1 };
      this.#cand = cand;
    }
    if (cand.end < 0) {
      if (cand.walked < len) {
        const r = cand.walker.feed(b, cand.walked, len);
        if (r.kind === 'invalid') {
          this.#cand = undefined;
          return 'no';
        }
        if (r.kind === 'done') cand.end = r.end;
        else cand.walked = len;
      }
      if (cand.end < 0) return w.final ? 'no' : 'need';
    }
    const stop = cand.end + DETECT_LOOKAHEAD_BYTES;
    for (let j = cand.end; j < Math.min(stop, len); j++) {
      const container = w.containerAt(j);
      if (container !== 'no') return container;
      const c = b[j]!;
      if (isQuiet(c)) continue;
      if (c !== 0xff) return 'no';
      if (len - j < 3) return w.final ? 'yes' : 'need';
      return b[j + 1] === 0xd8 && b[j + 2] === 0xff ? 'yes' : 'no';
    }
    return len < stop && !w.final ? 'need' : 'yes';
  }
}
