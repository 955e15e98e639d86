import { describe, expect, it } from 'vitest';
import { NextOf } from '../../../src/protocol/common/next-of.js';

describe('NextOf', () => {
  const needle = Buffer.from([0xff, 0xa0, 0xff, 0xa1]);

  it('finds the nearest of several patterns at or after an offset, each searched once per pass', () => {
    const buf = Buffer.from('ab\ncd\rxx\xff\xa0\xff\xa1yy\n', 'latin1');
    const next = new NextOf([0x0a, 0x0d, needle]);
    next.reset(buf, buf.length);
    expect(next.next(0, ~0)).toBe(2);
    expect(next.next(3, ~0)).toBe(5);
    expect(next.next(6, ~0)).toBe(8);
    expect(next.next(6, 0b011)).toBe(14); // the needle not asked for
    expect(next.next(15, ~0)).toBe(buf.length);
  });

  it('never reports a pattern that reaches past the end of the data, whatever lies beyond it', () => {
    // The data ends after "ab\xff\xa0"; the bytes after it (a grown buffer's leftovers) complete the needle.
    const buf = Buffer.from('ab\xff\xa0\xff\xa1 stale', 'latin1');
    const next = new NextOf([0x0a, needle]);
    next.reset(buf, 4);
    expect(next.next(0, ~0)).toBe(4);
    // Nor a single byte past the end.
    const lf = Buffer.from('abc\n', 'latin1');
    next.reset(lf, 3);
    expect(next.next(0, ~0)).toBe(3);
  });
});
