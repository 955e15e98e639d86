import { describe, expect, it, vi } from 'vitest';
import { type DeliveryOptions, FrameDelivery, type Send } from '../../src/stream/delivery.js';
import { RingBuffer } from '../../src/stream/ring-buffer.js';
import { fixtureFrames } from '../helpers/fake-camera.js';

const frames = fixtureFrames();

/** A client the test drives by hand: `ready` says whether it can take a part. */
function client(ring: RingBuffer, options: DeliveryOptions) {
  const sent: Send[] = [];
  const state = { ready: true, ended: 0, failed: undefined as Error | undefined };
  const delivery = new FrameDelivery(ring, options, {
    ready: () => state.ready,
    send: (what) => sent.push(what),
    end: () => state.ended++,
    fail: (e) => {
      state.failed = e;
    },
  });
  const indexes = (): (number | 'placeholder')[] =>
    sent.map((s) => (s.kind === 'frame' ? s.entry.index : 'placeholder'));
  return { delivery, sent, state, indexes };
}

describe('FrameDelivery (the one policy every MJPEG writer uses)', () => {
  it('sends each new frame from inside add() while the client is ready', () => {
    const ring = new RingBuffer(10);
    const c = client(ring, { resendMs: 60_000 });
    c.delivery.start();
    ring.add(frames[0]!);
    expect(c.indexes()).toEqual([0]); // synchronously, inside add()
    ring.add(frames[1]!);
    expect(c.indexes()).toEqual([0, 1]);
    c.delivery.stop();
  });

  it('hands a slow client the newest frame when it is ready again, skipping the rest, never a backlog', () => {
    const ring = new RingBuffer(10);
    const c = client(ring, { resendMs: 60_000 });
    c.delivery.start();
    ring.add(frames[0]!);
    c.state.ready = false;
    for (let i = 1; i <= 5; i++) ring.add(frames[i]!);
    expect(c.indexes()).toEqual([0]);
    c.state.ready = true;
    c.delivery.wake();
    expect(c.indexes()).toEqual([0, 5]);
    c.delivery.wake();
    expect(c.indexes()).toEqual([0, 5]); // nothing new: nothing sent
    c.delivery.stop();
    expect(ring.waiting).toBe(0);
  });

  it('re-sends the last frame of a still camera every resendMs', async () => {
    const ring = new RingBuffer(10);
    ring.add(frames[0]!);
    const c = client(ring, { resendMs: 20 });
    c.delivery.start();
    await vi.waitFor(() => expect(c.sent.length).toBeGreaterThanOrEqual(3));
    c.delivery.stop();
    expect(new Set(c.indexes())).toEqual(new Set([0]));
  });

  it('sends the placeholder at once before the first frame and while offline, every resendMs, not on every wake', () => {
    // Fake clock (timers and performance.now()): the policy's timing, not the machine's load, is under test.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const ring = new RingBuffer(10);
      const placeholder = frames[23]!;
      let online = true;
      const c = client(ring, { resendMs: 40, placeholder, online: () => online });
      c.delivery.start();
      expect(c.indexes()).toEqual(['placeholder']);
      vi.advanceTimersByTime(20);
      c.delivery.wake();
      c.delivery.wake();
      expect(c.indexes()).toEqual(['placeholder']); // a wake is no reason to repeat it
      vi.advanceTimersByTime(20);
      expect(c.indexes()).toEqual(['placeholder', 'placeholder']); // resendMs after the first
      vi.advanceTimersByTime(5);
      ring.add(frames[0]!);
      expect(c.indexes()).toEqual(['placeholder', 'placeholder', 0]); // at once, not at the next tick
      online = false;
      c.delivery.wake();
      expect(c.indexes()).toEqual(['placeholder', 'placeholder', 0, 'placeholder']);
      c.delivery.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('spaces frames at least 1/fpsCap apart and then sends the newest', async () => {
    const ring = new RingBuffer(10);
    const c = client(ring, { fpsCap: 20, resendMs: 60_000 });
    const at: number[] = [];
    const delivery = new FrameDelivery(
      ring,
      { fpsCap: 20, resendMs: 60_000 },
      {
        ready: () => true,
        send: () => at.push(performance.now()),
        end: () => {},
        fail: () => {},
      },
    );
    delivery.start();
    c.delivery.start();
    for (let i = 0; i < 4; i++) ring.add(frames[i]!);
    expect(c.indexes()).toEqual([0]);
    await vi.waitFor(() => expect(c.indexes()).toEqual([0, 3]));
    ring.add(frames[4]!);
    await vi.waitFor(() => expect(at).toHaveLength(3));
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(49);
    delivery.stop();
    c.delivery.stop();
  });

  it('ends the client when the ring closes, after the newest frame went out', () => {
    const ring = new RingBuffer(10);
    const c = client(ring, { resendMs: 60_000 });
    c.delivery.start();
    c.state.ready = false;
    ring.add(frames[0]!);
    ring.close();
    expect(c.state.ended).toBe(0);
    c.state.ready = true;
    c.delivery.wake();
    expect(c.indexes()).toEqual([0]);
    expect(c.state.ended).toBe(1);
    expect(ring.waiting).toBe(0);
  });

  it('fails the client (no half part) when the source state cannot be read, and stops', () => {
    const ring = new RingBuffer(10);
    ring.add(frames[0]!);
    const c = client(ring, {
      online: () => {
        throw new Error('port exploded');
      },
    });
    c.delivery.start();
    expect(c.state.failed?.message).toBe('port exploded');
    expect(c.sent).toEqual([]);
    expect(ring.waiting).toBe(0);
  });

  it('stop() leaves no ring listener and no timer', () => {
    vi.useFakeTimers();
    try {
      const ring = new RingBuffer(10);
      const c = client(ring, { resendMs: 10, placeholder: frames[0]! });
      c.delivery.start();
      expect(ring.waiting).toBe(1);
      expect(vi.getTimerCount()).toBe(1);
      c.delivery.stop();
      expect(ring.waiting).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
      const before = c.sent.length;
      ring.add(frames[1]!);
      vi.advanceTimersByTime(100);
      expect(c.sent.length).toBe(before);
    } finally {
      vi.useRealTimers();
    }
  });
});
