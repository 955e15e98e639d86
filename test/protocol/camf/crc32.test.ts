import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, crc32Js, crc32Native } from '../../../src/protocol/camf/crc32.js';
import { fixtureJpegs, mulberry32 } from '../helpers.js';

const check = Buffer.from('123456789', 'latin1');

describe('crc32', () => {
  it('has the IEEE/zlib check value for "123456789"', () => {
    expect(crc32(check)).toBe(0xcbf43926);
    expect(crc32Js(check)).toBe(0xcbf43926);
  });

  it('is 0 for no bytes and unsigned for every input', () => {
    expect(crc32(Buffer.alloc(0))).toBe(0);
    expect(crc32(Buffer.from([0xff, 0xff, 0xff, 0xff]))).toBe(0xffffffff);
  });

  it('continues incrementally and honours start/end', () => {
    const whole = crc32(check);
    expect(crc32(check, 4, 9, crc32(check, 0, 4))).toBe(whole);
    expect(crc32Js(check, 4, 9, crc32Js(check, 0, 4))).toBe(whole);
    const padded = Buffer.concat([Buffer.from('xx'), check, Buffer.from('yyy')]);
    expect(crc32(padded, 2, 11)).toBe(whole);
    expect(crc32Js(padded, 2, 11)).toBe(whole);
  });

  it('matches zlib.crc32 on random lengths and real JPEGs, in one go or split', () => {
    const rand = mulberry32(7);
    const inputs = fixtureJpegs(/^(vga-001|exif-thumb|progressive)/).map((f) => f.bytes);
    for (let i = 0; i < 50; i++) {
      const b = Buffer.alloc(Math.floor(rand() * 300));
      for (let j = 0; j < b.length; j++) b[j] = Math.floor(rand() * 256);
      inputs.push(b);
    }
    for (const b of inputs) {
      const want = zlib.crc32(b) >>> 0;
      expect(crc32Js(b)).toBe(want);
      expect(crc32(b)).toBe(want);
      const cut = Math.floor(b.length / 3);
      expect(crc32Js(b, cut, b.length, crc32Js(b, 0, cut))).toBe(want);
      if (crc32Native) expect(crc32Native(b, cut, b.length, crc32Native(b, 0, cut))).toBe(want);
    }
  });
});
