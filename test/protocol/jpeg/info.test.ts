import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isCompleteJpeg, jpegSize } from '../../../src/protocol/jpeg/info.js';
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
