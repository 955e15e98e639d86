import { describe, expect, it } from 'vitest';
import { nowSeconds, RingBuffer } from '../../src/stream/ring-buffer.js';
import { fixtureFrames } from '../helpers/fake-camera.js';

const frames = fixtureFrames();

describe('RingBuffer', () => {
  it('rejects a capacity that is not a whole number ≥ 1, naming it', () => {
    expect(() => new RingBuffer(0)).toThrow(/"capacity" must be a whole number ≥ 1, got 0/);
    expect(() => new RingBuffer(2.5)).toThrow(TypeError);
    expect(new RingBuffer(10).capacity).toBe(10);
  });

  it('assigns strictly increasing indexes and host timestamps, keeping the device time when given', () => {
    const ring = new RingBuffer(3);
    const before = nowSeconds();
    const a = ring.add(frames[0]!);
    const b = ring.add(frames[1]!, 123_456);
    const after = nowSeconds();
    expect([a.index, b.index]).toEqual([0, 1]);
    expect(a.timestamp).toBeGreaterThanOrEqual(before);
    expect(b.timestamp).toBeLessThanOrEqual(after);
    expect(b.timestamp).toBeGreaterThanOrEqual(a.timestamp);
    expect(a.deviceTimeUs).toBeUndefined();
    expect(b.deviceTimeUs).toBe(123_456);
    for (let i = 2; i < 20; i++) expect(ring.add(frames[i % frames.length]!).index).toBe(i);
    expect(ring.nextIndex).toBe(20);
  });

  it('latest() is undefined before the first frame, then the newest entry', () => {
    const ring = new RingBuffer(2);
    expect(ring.latest()).toBeUndefined();
    ring.add(frames[0]!);
    const last = ring.add(frames[1]!);
    expect(ring.latest()).toBe(last);
  });

  it('get() returns kept entries and names why an overwritten or future index is missing', () => {
    const ring = new RingBuffer(3);
    for (let i = 0; i < 5; i++) ring.add(frames[i]!);
    expect(ring.get(2).frame).toBe(frames[2]);
    expect(ring.get(4).frame).toBe(frames[4]);
    expect(() => ring.get(1)).toThrow(/frame 1 was overwritten \(the ring keeps frames 2\.\.4\)/);
    expect(() => ring.get(5)).toThrow(/frame 5 does not exist yet \(newest is 4\)/);
    expect(() => ring.get(-1)).toThrow(RangeError);
  });

  it('never copies a frame: every reader gets the very Buffer that was added', async () => {
    const ring = new RingBuffer(10);
    const entry = ring.add(frames[0]!);
    expect(entry.frame).toBe(frames[0]);
    expect(ring.latest()!.frame).toBe(frames[0]);
    expect(ring.get(0).frame).toBe(frames[0]);
    const [x, y] = await Promise.all([ring.next(-1), ring.next(-1)]);
    expect(x!.frame).toBe(frames[0]);
    expect(y!.frame).toBe(frames[0]);
  });

  it('next() resolves at once when a newer entry exists, skipping to the newest', async () => {
    const ring = new RingBuffer(10);
    for (let i = 0; i < 5; i++) ring.add(frames[i]!);
    const entry = await ring.next(1);
    expect(entry!.index).toBe(4);
    expect(ring.waiting).toBe(0);
  });

  it('next() waits for the next add() when nothing newer exists', async () => {
    const ring = new RingBuffer(10);
    ring.add(frames[0]!);
    const pending = ring.next(0);
    expect(ring.waiting).toBe(1);
    const added = ring.add(frames[1]!);
    await expect(pending).resolves.toBe(added);
    expect(ring.waiting).toBe(0);
  });

  it('an aborted next() rejects with the reason and leaves no waiter behind', async () => {
    const ring = new RingBuffer(10);
    const ac = new AbortController();
    const pending = ring.next(-1, ac.signal);
    expect(ring.waiting).toBe(1);
    ac.abort(new Error('client left'));
    await expect(pending).rejects.toThrow('client left');
    expect(ring.waiting).toBe(0);
    await expect(ring.next(-1, ac.signal)).rejects.toThrow('client left');
    expect(ring.waiting).toBe(0);
  });

  it('close() resolves every waiter with undefined, refuses new frames, and is idempotent', async () => {
    const ring = new RingBuffer(10);
    const waiters = [ring.next(-1), ring.next(-1), ring.next(-1)];
    ring.close();
    ring.close();
    await expect(Promise.all(waiters)).resolves.toEqual([undefined, undefined, undefined]);
    expect(ring.closed).toBe(true);
    expect(ring.waiting).toBe(0);
    expect(() => ring.add(frames[0]!)).toThrow(/closed/);
    await expect(ring.next(-1)).resolves.toBeUndefined();
  });

  it('entries() yields each new frame in index order and ends on close', async () => {
    const ring = new RingBuffer(10);
    const seen: number[] = [];
    const reader = (async () => {
      for await (const e of ring.entries()) seen.push(e.index);
    })();
    for (let i = 0; i < 3; i++) {
      ring.add(frames[i]!);
      // Let the reader take this one before the next is added (a fast reader sees every frame).
      await new Promise((r) => setImmediate(r));
    }
    ring.close();
    await reader;
    expect(seen).toEqual([0, 1, 2]);
  });
});

describe('nowSeconds', () => {
  it('follows the wall clock within a few ms, with sub-millisecond steps, never going back', () => {
    const seen: number[] = [];
    for (let i = 0; i < 10_000; i++) seen.push(nowSeconds());
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
    // Anchored once a second: at most a second of drift (~5 ms on a drifting VM) plus 1 ms of Date.now() steps.
    expect(Math.abs(nowSeconds() - Date.now() / 1000)).toBeLessThan(0.02);
    expect(new Set(seen.map((s) => Math.floor(s * 1000))).size).toBeLessThan(new Set(seen).size);
  });
});
