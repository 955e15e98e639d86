/** Small byte tests the auto-detect signatures share. */
import type { ScanWindow, Verdict } from '../module.js';

/** Whether `sig` starts at `i`: `need` while the bytes so far match but are too few (`no` once final). */
export function prefixAt(w: ScanWindow, i: number, sig: ArrayLike<number>): Verdict {
  const n = Math.min(sig.length, w.len - i);
  for (let k = 0; k < n; k++) if (w.buf[i + k] !== sig[k]) return 'no';
  if (n === sig.length) return 'yes';
  return w.final ? 'no' : 'need';
}

/** `FF D8 FF` (a JPEG's SOI and the next marker's FF) at `at`. */
export function isSoiAt(b: Uint8Array, at: number): boolean {
  return b[at] === 0xff && b[at + 1] === 0xd8 && b[at + 2] === 0xff;
}

/** `need` unless the stream ended (then `no`). */
export function needMore(w: ScanWindow): Verdict {
  return w.final ? 'no' : 'need';
}
