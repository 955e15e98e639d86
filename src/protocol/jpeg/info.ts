/**
 * Facts about one whole JPEG held in memory: its size (from the frame header) and whether it is
 * a complete, well-formed image.
 */
import { JpegWalker } from './walker.js';

export interface JpegSize {
  width: number;
  height: number;
}

/** Markers with no length field (SOI, EOI, RSTn, TEM). */
function standalone(m: number): boolean {
  return m === 0xd8 || m === 0xd9 || (m >= 0xd0 && m <= 0xd7) || m === 0x01;
}

/**
 * Width and height from the first SOFn (baseline, extended, progressive, lossless …), found by
 * walking segment lengths from SOI, so an EXIF thumbnail's SOF is never taken for the image's.
 * Undefined when the bytes are not a JPEG or the header ends before the SOF (or its height is 0,
 * i.e. defined later by DNL).
 */
export function jpegSize(jpeg: Uint8Array): JpegSize | undefined {
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 4 <= jpeg.length) {
    if (jpeg[i] !== 0xff) return undefined;
    const m = jpeg[i + 1]!;
    if (m === 0xff) {
      i++; // fill byte
      continue;
    }
    if (standalone(m)) {
      if (m === 0xd9 || m === 0xd8) return undefined;
      i += 2;
      continue;
    }
    const len = (jpeg[i + 2]! << 8) | jpeg[i + 3]!;
    if (len < 2) return undefined;
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      if (i + 9 > jpeg.length || len < 8) return undefined;
      const height = (jpeg[i + 5]! << 8) | jpeg[i + 6]!;
      const width = (jpeg[i + 7]! << 8) | jpeg[i + 8]!;
      return width > 0 && height > 0 ? { width, height } : undefined;
    }
    if (m === 0xda) return undefined; // a scan before any frame header
    i += 2 + len;
  }
  return undefined;
}

/** True when `buf` is exactly one structurally valid JPEG: SOI … EOI and nothing after. */
export function isCompleteJpeg(buf: Uint8Array): boolean {
  const w = new JpegWalker();
  const r = w.feed(buf, 0, buf.length);
  return r.kind === 'done' && r.end === buf.length;
}
