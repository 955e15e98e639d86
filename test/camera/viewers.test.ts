import { describe, expect, it } from 'vitest';
import type { ViewerPacing } from '../../src/camera/handle.js';
import { ViewerRegistry } from '../../src/camera/viewers.js';

describe('ViewerRegistry: what /status says per client', () => {
  it('a paced stream client: frames handed to the kernel, frames it read, the age of the last one read, its pacing and the rate it is held to', () => {
    const ages: number[] = [];
    const viewers = new ViewerRegistry({ first() {}, empty() {} });
    viewers.onFrameAge((s) => ages.push(s));
    const lease = viewers.attach({ kind: 'stream', remote: '127.0.0.1:4000' });
    let pacing: ViewerPacing = { mode: 'fast' };
    lease.pacingFrom(() => pacing);
    for (let i = 0; i < 5; i++) lease.frameSent(12_000);
    lease.frameConsumed(0.012);
    lease.frameConsumed(0.2504);
    expect(ages).toEqual([0.012, 0.2504]);
    expect(viewers.list()[0]).toMatchObject({ frames: 5, consumed: 2, age: 0.25, pacing: 'fast' });
    expect(viewers.list()[0]!.cap).toBeUndefined();

    // Paced now: the rate it reads is the cap it is held to.
    pacing = { mode: 'paced', readFps: 3.94 };
    expect(viewers.list()[0]).toMatchObject({ pacing: 'paced', cap: 3.9 });
    lease.release();
    lease.frameConsumed(1);
    expect(ages).toHaveLength(2);
    expect(viewers.list()).toEqual([]);
  });

  it('a ?fps= cap below what the client reads is the cap; without pacing (snapshots, other runtimes) no pacing fields', () => {
    const viewers = new ViewerRegistry({ first() {}, empty() {} });
    const capped = viewers.attach({ kind: 'stream', fpsCap: 2 });
    capped.pacingFrom(() => ({ mode: 'paced', readFps: 10 }));
    viewers.attach({ kind: 'stream', fpsCap: 7 });
    const snapshot = viewers.attach({ kind: 'snapshot' });
    snapshot.frameSent(100);
    const [a, b, c] = viewers.list();
    expect(a).toMatchObject({ fpsCap: 2, cap: 2, pacing: 'paced', consumed: 0 });
    expect(b).toMatchObject({ fpsCap: 7, cap: 7 });
    expect(b).not.toHaveProperty('pacing');
    expect(b).not.toHaveProperty('consumed');
    expect(c).not.toHaveProperty('cap');
    expect(c).not.toHaveProperty('age');
  });
});
