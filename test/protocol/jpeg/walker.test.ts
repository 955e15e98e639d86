import { describe, expect, it } from 'vitest';
import { JpegWalker, type WalkResult } from '../../../src/protocol/jpeg/walker.js';
import { fixtureJpegs } from '../helpers.js';

const jpegs = fixtureJpegs();
const byName = (n: string) => jpegs.find((j) => j.name === n)!.bytes;

/** Walk `bytes` from offset 0 in pieces of `size`; returns the first non-need-more result as a frame offset. */
function walk(
  bytes: Uint8Array,
  size: number,
): { kind: string; at: number; restart?: boolean; length: number } {
  const w = new JpegWalker();
  w.reset();
  for (let i = 0; i < bytes.length; i += size) {
    const end = Math.min(bytes.length, i + size);
    const r: WalkResult = w.feed(bytes, i, end);
    if (r.kind === 'done') return { kind: 'done', at: r.end, length: w.length };
    if (r.kind === 'invalid') {
      return r.restart
        ? { kind: 'invalid', at: r.at, restart: true, length: w.length }
        : { kind: 'invalid', at: r.at, length: w.length };
    }
  }
  return { kind: 'need-more', at: bytes.length, length: w.length };
}

const SIZES = [1, 3, 64, 4096, 1 << 30];

describe('JpegWalker', () => {
  it.each(jpegs.map((j) => [j.name, j.bytes] as const))(
    'walks %s to its real EOI in any chunking',
    (_n, bytes) => {
      const withTrailer = Buffer.concat([bytes, Buffer.from('trailing junk \xff\xd9', 'latin1')]);
      for (const size of SIZES) {
        expect(walk(withTrailer, size)).toEqual({ kind: 'done', at: bytes.length, length: bytes.length });
      }
    },
  );

  it('is not fooled by FF D9 inside the DQT and a COM segment, or by an EXIF thumbnail', () => {
    for (const name of ['dqt-ffd9.jpg', 'exif-thumb.jpg']) {
      const bytes = byName(name);
      expect(bytes.indexOf(Buffer.from([0xff, 0xd9]))).toBeLessThan(bytes.length - 2);
      expect(walk(bytes, 1).at).toBe(bytes.length);
    }
  });

  it('needs more for every proper prefix of a frame', () => {
    const bytes = byName('progressive.jpg');
    for (let cut = 1; cut < bytes.length; cut += 97) {
      expect(walk(bytes.subarray(0, cut), 64)).toEqual({ kind: 'need-more', at: cut, length: cut });
    }
  });

  it('reports a cut-short image when a new SOI appears in its entropy data or between segments', () => {
    const a = byName('qvga-001.jpg');
    const b = byName('qvga-002.jpg');
    const cutInScan = Buffer.concat([a.subarray(0, 3000), b]);
    for (const size of SIZES) expect(walk(cutInScan, size)).toMatchObject({ restart: true, length: 3001 });
    // Cut right after a segment (before SOS): the next SOI comes where a marker belongs.
    const sos = a.indexOf(Buffer.from([0xff, 0xda]));
    const cutInHeaders = Buffer.concat([a.subarray(0, sos), b]);
    expect(walk(cutInHeaders, 7)).toMatchObject({ kind: 'invalid', restart: true, at: sos + 1 });
  });

  it.each([
    ['junk after SOI', [0xff, 0xd8, 0x41, 0x42], 2],
    [
      'APP1 with a lying length, then garbage',
      [0xff, 0xd8, 0xff, 0xe1, 0x00, 0x05, 0x41, 2, 3, 0x55, 0x66],
      9,
    ],
    [
      'APP0 that is not JFIF',
      [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x58, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0],
      19,
    ],
    [
      'JFIF APP0 whose length disagrees with its thumbnail',
      [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x11, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0],
      19,
    ],
    ['DQT longer than four tables', [0xff, 0xd8, 0xff, 0xdb, 0x02, 0x07], 5],
    ['APPn without an ASCII identifier', [0xff, 0xd8, 0xff, 0xe1, 0x00, 0x10, 0x01], 6],
    ['DQT with a bad table id', [0xff, 0xd8, 0xff, 0xdb, 0x00, 0x43, 0x24], 6],
    ['segment length below 2', [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x01], 5],
    ['reserved marker code', [0xff, 0xd8, 0xff, 0x02, 0x00, 0x04], 3],
    ['RST outside entropy data', [0xff, 0xd8, 0xff, 0xd0], 3],
    ['EOI before any scan', [0xff, 0xd8, 0xff, 0xfe, 0x00, 0x02, 0xff, 0xd9], 7],
    ['SOS before SOF', [0xff, 0xd8, 0xff, 0xda, 0x00, 0x08, 0x01, 1, 0, 0, 63, 0], 5],
    [
      'SOS with a wrong length',
      [0xff, 0xd8, 0xff, 0xc0, 0, 11, 8, 0, 16, 0, 16, 1, 1, 0x11, 0, 0xff, 0xda, 0, 9, 1],
      19,
    ],
    ['DRI with a wrong length', [0xff, 0xd8, 0xff, 0xdd, 0x00, 0x05], 5],
    ['not SOI at all', [0xff, 0xd9], 1],
  ])('rejects %s at the offending byte', (_name, bytes, at) => {
    const buf = Buffer.from(bytes);
    for (const size of [1, 100]) expect(walk(buf, size)).toEqual({ kind: 'invalid', at, length: at });
  });

  it('rejects "FF D8 FF E0 7F 12 garbage" at its APP0 header, long before the claimed length', () => {
    const junk = Buffer.concat([
      Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x7f, 0x12]),
      Buffer.from('garbage'.repeat(5000)),
    ]);
    expect(walk(junk, 4096)).toMatchObject({ kind: 'invalid', at: 19 });
  });

  it('rejects a comment with a lying length when the segment ends in garbage', () => {
    const junk = Buffer.alloc(0x7f12 + 100, 0x20);
    Buffer.from([0xff, 0xd8, 0xff, 0xfe, 0x7f, 0x12]).copy(junk);
    expect(walk(junk, 4096)).toMatchObject({ kind: 'invalid', at: 4 + 0x7f12 });
  });

  it('keeps failing until reset, then walks a new frame', () => {
    const w = new JpegWalker();
    expect(w.feed(Buffer.from([0x00]), 0, 1).kind).toBe('invalid');
    expect(w.feed(Buffer.from([0xff]), 0, 1).kind).toBe('invalid');
    w.reset();
    const a = byName('qvga-003.jpg');
    expect(w.feed(a, 0, a.length)).toEqual({ kind: 'done', end: a.length });
    expect(w.finished).toBe(true);
  });

  it('walks a plain Uint8Array (not a Buffer) at an offset', () => {
    const a = byName('restart.jpg');
    const u = new Uint8Array(a.length + 10);
    u.set(a, 10);
    const w = new JpegWalker();
    expect(w.feed(u, 10, u.length)).toEqual({ kind: 'done', end: u.length });
  });
});

describe('JpegWalker.skipEntropy (the decoder fast path for small reads)', () => {
  /** A walker parked at the start of the entropy data of `bytes` (just after its SOS segment). */
  function inEntropy(bytes: Buffer): JpegWalker {
    const w = new JpegWalker();
    w.reset();
    for (let i = 0; i < bytes.length; i++) {
      w.feed(bytes, i, i + 1);
      // An empty range is taken only inside entropy data.
      if (w.skipEntropy(Buffer.alloc(0), 0, 0)) return w;
    }
    throw new Error('no entropy data');
  }

  it('gives every fixture the same walk as feed() alone, read 7 bytes at a time', () => {
    for (const { name, bytes } of jpegs) {
      const w = new JpegWalker();
      w.reset();
      let result: WalkResult | undefined;
      let skipped = 0;
      for (let i = 0; i < bytes.length && result === undefined; i += 7) {
        const end = Math.min(bytes.length, i + 7);
        if (w.skipEntropy(Buffer.from(bytes), i, end)) {
          skipped++;
          continue;
        }
        const r = w.feed(bytes, i, end);
        if (r.kind !== 'need-more') result = r;
      }
      expect(result, name).toEqual({ kind: 'done', end: bytes.length });
      expect(w.length, name).toBe(bytes.length);
      expect(skipped, name).toBeGreaterThan(0);
    }
  });

  it('takes stuffing and restart markers, and leaves an FF at the end or a marker to feed()', () => {
    const w = inEntropy(byName('qvga-001.jpg'));
    const before = w.length;
    expect(w.skipEntropy(Buffer.from([0x12, 0xff, 0x00, 0x34, 0xff, 0xd3, 0x56]), 0, 7)).toBe(true);
    expect(w.length).toBe(before + 7);
    // Each of these needs the full walk: nothing consumed.
    for (const bytes of [
      [0x12, 0xff],
      [0x12, 0xff, 0xd9],
      [0xff, 0xd8, 0x00],
      [0xff, 0xff, 0x00],
    ]) {
      expect(w.skipEntropy(Buffer.from(bytes), 0, bytes.length), bytes.join(',')).toBe(false);
      expect(w.length).toBe(before + 7);
    }
    // Outside entropy data (a fresh frame) it never consumes.
    const fresh = new JpegWalker();
    fresh.reset();
    expect(fresh.skipEntropy(Buffer.from([1, 2, 3]), 0, 3)).toBe(false);
    expect(fresh.length).toBe(0);
  });
});
