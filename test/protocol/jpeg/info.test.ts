import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { declaredThumbnail, isCompleteJpeg, jpegSize } from '../../../src/protocol/jpeg/info.js';
import { itWithTools } from '../../helpers/tools.js';
import { FIXTURES_DIR, fixtureJpegs } from '../helpers.js';

const jpegs = fixtureJpegs();

/** What an independent tool (exiftool) says the image size is. */
function exiftoolSizes(): Map<string, { width: number; height: number }> {
  const dir = join(FIXTURES_DIR, 'jpeg');
  const out = execFileSync('exiftool', ['-j', '-n', '-ImageWidth', '-ImageHeight', dir], {
    encoding: 'utf8',
  });
  const rows = JSON.parse(out) as { SourceFile: string; ImageWidth: number; ImageHeight: number }[];
  return new Map(
    rows.map((r) => [r.SourceFile.split('/').pop()!, { width: r.ImageWidth, height: r.ImageHeight }]),
  );
}

describe('jpegSize', () => {
  itWithTools(['exiftool'], 'agrees with exiftool on every fixture', () => {
    const want = exiftoolSizes();
    for (const j of jpegs)
      expect({ name: j.name, size: jpegSize(j.bytes) }).toEqual({ name: j.name, size: want.get(j.name) });
  });

  it('takes the frame size, not the EXIF thumbnail size', () => {
    expect(jpegSize(jpegs.find((j) => j.name === 'exif-thumb.jpg')!.bytes)).toEqual({
      width: 320,
      height: 240,
    });
  });

  it('is undefined for non-JPEGs and headers cut before the SOF', () => {
    const q = jpegs[0]!.bytes;
    const sof = q.indexOf(Buffer.from([0xff, 0xc0]));
    expect(jpegSize(Buffer.from('hello world'))).toBeUndefined();
    expect(jpegSize(q.subarray(0, sof + 4))).toBeUndefined();
    expect(jpegSize(q.subarray(0, sof + 9))).toBeDefined();
    expect(jpegSize(Buffer.from([0xff, 0xd8, 0xff, 0xd9]))).toBeUndefined();
  });
});

describe('isCompleteJpeg', () => {
  it('accepts every fixture and rejects a cut, an extended or a junk buffer', () => {
    for (const j of jpegs) expect(isCompleteJpeg(j.bytes)).toBe(true);
    const q = jpegs.find((j) => j.name === 'qvga-001.jpg')!.bytes;
    expect(isCompleteJpeg(q.subarray(0, q.length - 1))).toBe(false);
    expect(isCompleteJpeg(Buffer.concat([q, Buffer.from([0])]))).toBe(false);
    expect(isCompleteJpeg(Buffer.from('not a jpeg'))).toBe(false);
  });
});

describe('declaredThumbnail', () => {
  it('finds the EXIF thumbnail where IFD1 says, with its length, and nothing in other segments', () => {
    const exif = jpegs.find((j) => j.name === 'exif-thumb.jpg')!.bytes;
    const app1 = exif.indexOf(Buffer.from([0xff, 0xe1]));
    const end = app1 + 2 + exif.readUInt16BE(app1 + 2);
    const thumb = declaredThumbnail(exif, app1, end)!;
    expect(thumb.at).toBe(exif.indexOf(Buffer.from([0xff, 0xd8, 0xff]), 2));
    expect(isCompleteJpeg(exif.subarray(thumb.at, thumb.at + thumb.length))).toBe(true);
    expect(declaredThumbnail(exif, 2, 20)).toBeUndefined(); // the JFIF APP0
    // Cut before IFD1 is read: nothing declared.
    expect(declaredThumbnail(exif, app1, app1 + 40)).toBeUndefined();
  });

  it('finds a JFXX thumbnail: the rest of its APP0', () => {
    const q = jpegs[0]!.bytes;
    const seg = Buffer.concat([Buffer.from([0xff, 0xe0, 0, 0]), Buffer.from('JFXX\0\x10', 'latin1'), q]);
    seg.writeUInt16BE(seg.length - 2, 2);
    expect(declaredThumbnail(seg, 0, seg.length)).toEqual({ at: 10, length: q.length });
  });
});
