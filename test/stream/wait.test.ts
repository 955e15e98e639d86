import { describe, expect, it } from 'vitest';
import { RingBuffer } from '../../src/stream/ring-buffer.js';
import { waitForNewerFrame } from '../../src/stream/wait.js';
import { fixtureFrames } from '../helpers/fake-camera.js';

const frames = fixtureFrames();

describe('waitForNewerFrame', () => {
  it('answers with the entry, timeout, aborted or closed, and leaves nothing waiting', async () => {
    const ring = new RingBuffer(10);
    const never = new AbortController().signal;
    const e = ring.add(frames[0]!);
    await expect(waitForNewerFrame(ring, -1, 1000, never)).resolves.toBe(e);
    await expect(waitForNewerFrame(ring, 0, 10, never)).resolves.toBe('timeout');
    const ac = new AbortController();
    const aborted = waitForNewerFrame(ring, 0, 60_000, ac.signal);
    ac.abort();
    await expect(aborted).resolves.toBe('aborted');
    const closed = waitForNewerFrame(ring, 0, 60_000, never);
    ring.close();
    await expect(closed).resolves.toBe('closed');
    expect(ring.waiting).toBe(0);
  });
});
