/**
 * How auto-detection recognises the Arducam Mega: `FF AA` <known type> <u32 len> then, for an
 * image, [fmt] `FF D8 FF`, else `len` text bytes and `FF BB`; or the legacy `55 AA` <fmt>
 * <u32 len> `FF D8 FF`.
 */
import { isSoiAt, needMore } from '../common/scan.js';
import type { ScanWindow, Signature, Verdict } from '../module.js';
import { MEGA_MAX_TEXT_BYTES, MEGA_REPLY_TYPES } from './decoder.js';

const TYPES = new Set<number>(Object.values(MEGA_REPLY_TYPES));

function currentAt(w: ScanWindow, i: number): Verdict {
  const b = w.buf;
  const len = w.len;
  if (len - i < 2) return needMore(w);
  if (b[i + 1] !== 0xaa) return 'no';
  if (len - i < 3) return needMore(w);
  const type = b[i + 2]!;
  if (!TYPES.has(type)) return 'no';
  if (len - i < 7) return needMore(w);
  const size = b.readUInt32LE(i + 3);
  if (type === MEGA_REPLY_TYPES.image) {
    if (size > w.maxFrameBytes || size < 4) return 'no';
    if (len - i < 11) return needMore(w);
    return isSoiAt(b, i + 8) ? 'yes' : 'no';
  }
  if (size > MEGA_MAX_TEXT_BYTES) return 'no';
  const tail = i + 7 + size;
  if (len < tail + 2) return needMore(w);
  return b[tail] === 0xff && b[tail + 1] === 0xbb ? 'yes' : 'no';
}

function legacyAt(w: ScanWindow, i: number): Verdict {
  const b = w.buf;
  const len = w.len;
  if (len - i < 2) return needMore(w);
  if (b[i + 1] !== 0xaa) return 'no';
  if (len - i < 10) return needMore(w);
  const size = b.readUInt32LE(i + 3);
  if (size > w.maxFrameBytes || size < 4) return 'no';
  return isSoiAt(b, i + 7) ? 'yes' : 'no';
}

export const megaSignature: Signature = {
  firstBytes: [0xff, 0x55],
  framed: true,
  prefixes: [Uint8Array.of(0xff, 0xaa), Uint8Array.of(0x55, 0xaa)],
  at: (w, i) => (w.buf[i] === 0x55 ? legacyAt(w, i) : currentAt(w, i)),
};
