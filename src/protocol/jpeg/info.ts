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

/**
 * The thumbnail JPEG an APPn segment declares, as offsets into `buf`: an EXIF APP1's IFD1
 * `JPEGInterchangeFormat` and `…Length` (offsets from its TIFF header), or a JFXX APP0's JPEG
 * thumbnail (the rest of the segment). `seg` is the segment's `FF` and `end` its end (or the last
 * byte known). Undefined when the segment declares none, or its structure does not hold together.
 * Telling a thumbnail from a real frame that merely lies inside a broken frame's segment needs both
 * where it starts and how long it is.
 */
export function declaredThumbnail(
  buf: Uint8Array,
  seg: number,
  end: number,
): { at: number; length: number } | undefined {
  const body = seg + 4;
  const text = (at: number, s: string): boolean => {
    if (at + s.length > end) return false;
    for (let i = 0; i < s.length; i++) if (buf[at + i] !== s.charCodeAt(i)) return false;
    return true;
  };
  if (buf[seg + 1] === 0xe0) {
    return text(body, 'JFXX\0') && buf[body + 5] === 0x10 && end > body + 6
      ? { at: body + 6, length: end - body - 6 }
      : undefined;
  }
  if (buf[seg + 1] !== 0xe1 || !text(body, 'Exif\0\0')) return undefined;
  const tiff = body + 6;
  const le = text(tiff, 'II');
  if (!le && !text(tiff, 'MM')) return undefined;
  const u16 = (o: number): number => (le ? buf[o]! | (buf[o + 1]! << 8) : (buf[o]! << 8) | buf[o + 1]!);
  const u32 = (o: number): number => (le ? u16(o) + u16(o + 2) * 0x10000 : u16(o) * 0x10000 + u16(o + 2));
  if (tiff + 8 > end || u16(tiff + 2) !== 42) return undefined;
  const ifd0 = tiff + u32(tiff + 4);
  if (ifd0 + 2 > end) return undefined;
  const link = ifd0 + 2 + 12 * u16(ifd0);
  if (link + 4 > end || u32(link) === 0) return undefined;
  const ifd1 = tiff + u32(link);
  if (ifd1 + 2 > end) return undefined;
  let at = -1;
  let length = -1;
  for (let k = 0, n = u16(ifd1); k < n; k++) {
    const e = ifd1 + 2 + 12 * k;
    if (e + 12 > end) return undefined;
    if (u16(e) === 0x0201) at = tiff + u32(e + 8);
    else if (u16(e) === 0x0202) length = u32(e + 8);
  }
  return at >= 0 && length > 0 ? { at, length } : undefined;
}
