import { describe, expect, it } from 'vitest';
import { readMkvHead } from '../../../src/sinks/recording/mkv-read.js';
import { clipFile, Preroll } from '../../../src/sinks/recording/preroll.js';
import { RingBuffer } from '../../../src/stream/ring-buffer.js';
import { fixtureFrames, paddedJpeg } from '../../helpers/fake-camera.js';

const frames = fixtureFrames('qvga');
const T0 = 1_764_000_000;

describe('pre-roll', () => {
  it('keeps the frames of the last N seconds and hands out a span of them', () => {
    const ring = new RingBuffer(10);
    const preroll = new Preroll(ring, 2, 64e6);
    preroll.start();
    for (let i = 0; i < 100; i++) ring.add(frames[i % frames.length]!, undefined, T0 + i / 10);
    const last = T0 + 9.9;
    expect(preroll.frames).toBe(21); // 7.9 s … 9.9 s
    const span = preroll.last(1, last);
    expect(span.map((e) => e.index)).toEqual(Array.from({ length: 11 }, (_, k) => 89 + k));
    expect(preroll.last(5, last)).toHaveLength(21); // never more than it keeps
    preroll.stop();
    ring.add(frames[0]!, undefined, last + 0.1);
    expect(preroll.frames).toBe(0);
  });

  it('never holds more than its byte cap, whatever the seconds (but always the newest frame)', () => {
    const ring = new RingBuffer(10);
    const preroll = new Preroll(ring, 3600, 1_000_000);
    preroll.start();
    const big = paddedJpeg(frames[0]!, 300_000);
    for (let i = 0; i < 10_000; i++) {
      ring.add(i % 2 ? big : frames[i % frames.length]!, undefined, T0 + i / 30);
      expect(preroll.bytes).toBeLessThanOrEqual(1_000_000);
    }
    expect(preroll.frames).toBeGreaterThan(3);
    const huge = paddedJpeg(frames[0]!, 2_000_000);
    ring.add(huge, undefined, T0 + 400);
    expect(preroll.frames).toBe(1);
    expect(preroll.last(1, T0 + 400)[0]!.frame).toBe(huge);
  });

  it('makes a clip: one finished Matroska file with every frame', () => {
    const ring = new RingBuffer(10);
    const entries = Array.from({ length: 30 }, (_, i) =>
      ring.add(frames[i % frames.length]!, undefined, T0 + i / 30),
    );
    const head = readMkvHead(clipFile(entries))!;
    expect(head.frames).toBe(30);
    expect(head.start).toBeCloseTo(T0, 6);
    expect(() => clipFile([])).toThrow(RangeError);
  });
});
