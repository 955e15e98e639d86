import { describe, expect, it } from 'vitest';
import {
  ageText,
  checkKeep,
  minFreeBytes,
  parseKeep,
  parseMinFree,
  sizeText,
} from '../../../src/sinks/recording/limits.js';

describe('recording limits', () => {
  it('reads sizes in decimal and binary units, and ages', () => {
    expect(sizeText('50MB')).toBe(50e6);
    expect(sizeText('1.5 GB')).toBe(1.5e9);
    expect(sizeText('2GiB')).toBe(2 * 2 ** 30);
    expect(sizeText('100k')).toBe(100e3);
    expect(sizeText('1048576')).toBe(1_048_576);
    expect(sizeText('5 parsecs')).toBeUndefined();
    expect(ageText('14d')).toBe(14 * 86_400);
    expect(ageText('12h')).toBe(43_200);
    expect(ageText('90m')).toBe(5400);
    expect(ageText('2w')).toBe(1_209_600);
    expect(ageText('14')).toBeUndefined();
  });

  it('--keep takes a size, an age, or one of each', () => {
    expect(parseKeep('50GB', '--keep')).toEqual({ bytes: 50e9 });
    expect(parseKeep('14d', '--keep')).toEqual({ seconds: 14 * 86_400 });
    expect(parseKeep('50GB,14d', '--keep')).toEqual({ bytes: 50e9, seconds: 14 * 86_400 });
    expect(parseKeep('14d,50GB', '--keep')).toEqual({ bytes: 50e9, seconds: 14 * 86_400 });
    expect(() => parseKeep('50GB,60GB', '--keep')).toThrow(/--keep must be a size, an age or one of each/);
    expect(() => parseKeep('forever', '--keep')).toThrow(/got "forever"/);
    expect(() => parseKeep('0', '--keep')).toThrow(/--keep size must be a whole number of bytes > 0/);
    expect(() => checkKeep({}, 'keep')).toThrow(/keep needs a size/);
  });

  it('--min-free takes a size, a share of the disk, or both (the larger counts)', () => {
    expect(parseMinFree('2GB', '--min-free')).toEqual({ bytes: 2e9 });
    expect(parseMinFree('10%', '--min-free')).toEqual({ percent: 10 });
    expect(parseMinFree('1GB,5%', '--min-free')).toEqual({ bytes: 1e9, percent: 5 });
    expect(() => parseMinFree('150%', '--min-free')).toThrow(/--min-free share must be from 0 to 100 %/);
    expect(() => parseMinFree('lots', '--min-free')).toThrow(
      /--min-free must be a size, a share of the disk/,
    );
    expect(minFreeBytes({ bytes: 1e9, percent: 5 }, 100e9)).toBe(5e9);
    expect(minFreeBytes({ bytes: 1e9, percent: 5 }, 10e9)).toBe(1e9);
  });
});
