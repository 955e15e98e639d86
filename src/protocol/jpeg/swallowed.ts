/**
 * A lying segment length in a damaged JPEG makes a walk jump over the start of the next image:
 * what comes out is the head of one frame glued to the tail (or to a thumbnail) of the next.
 * The only trace is an SOI inside the header segments the walk skipped. Both decoders that
 * have no checksum to go by (bare JPEG and ArduCAM) look for it before they trust a walk.
 */
import type { JpegWalker } from './walker.js';

const SOI_FF = Buffer.from([0xff, 0xd8, 0xff]);

/** Whether frame[at, end) starts with `JFIF` (compared byte by byte: this runs for every frame). */
function isJfif(frame: Buffer, at: number, end: number): boolean {
  return (
    at + 4 <= end &&
    frame[at] === 0x4a &&
    frame[at + 1] === 0x46 &&
    frame[at + 2] === 0x49 &&
    frame[at + 3] === 0x46
  );
}

/**
 * Where the header segments (from SOI up to SOS) of the JPEG at frame[0, end) hold the start of
 * another image (`FF D8 FF`), other than a whole image nested inside an APPn segment (an EXIF or
 * JFXX thumbnail; a JFIF APP0 holds none): its offset, or 0 when there is none. `walker` is a
 * spare walker for the nested images (reset here).
 */
export function swallowedSoiAt(frame: Buffer, end: number, walker: JpegWalker): number {
  let i = 2;
  while (i + 4 <= end && frame[i] === 0xff) {
    const m = frame[i + 1]!;
    if (m === 0xda) return 0;
    const segEnd = Math.min(end, i + 2 + ((frame[i + 2]! << 8) | frame[i + 3]!));
    const mayNest = m >= 0xe0 && m <= 0xef && !(m === 0xe0 && isJfif(frame, i + 4, end));
    let from = i + 4;
    for (;;) {
      const soi = frame.indexOf(SOI_FF, from);
      if (soi < 0 || soi >= segEnd) break;
      if (!mayNest) return soi;
      walker.reset();
      const r = walker.feed(frame, soi, segEnd);
      if (r.kind !== 'done') return soi;
      from = r.end;
    }
    i = segEnd;
  }
  return 0;
}
