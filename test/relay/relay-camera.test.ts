import { describe, expect, it } from 'vitest';
import { ControlError } from '../../src/control/errors.js';
import { RelayCamera } from '../../src/relay/relay-camera.js';
import type { StatusRecord } from '../../src/sinks/nats/wire.js';
import { FakeCamera, fixtureFrames } from '../helpers/fake-camera.js';

const frames = fixtureFrames();
const link = (connected = true) => ({
  connected: () => connected,
  control: async () => ({ ok: true, reply: 'ok' }),
});

function record(online: boolean, publishedAt = Date.now()): StatusRecord {
  return {
    status: { ...new FakeCamera('door').status(), online, port: '/dev/ttyUSB0' },
    origin: 'host-1-a',
    host: 'pi',
    publishedAt,
    bus: { published: 5, tooLarge: 0, skipped: 0 },
  };
}

describe('a camera seen through the bus', () => {
  it('keeps the origin’s timestamps and drops repeated or older frames of the same origin', () => {
    const cam = new RelayCamera('door', 10, link());
    expect(cam.ingest(frames[0]!, { index: 7, timestamp: 100.5, origin: 'o1' })).toBe(true);
    expect(cam.ingest(frames[1]!, { index: 7, timestamp: 100.5, origin: 'o1' })).toBe(false);
    expect(cam.ingest(frames[2]!, { index: 6, timestamp: 100.4, origin: 'o1' })).toBe(false);
    expect(cam.ingest(frames[3]!, { index: 8, timestamp: 100.6, origin: 'o1', deviceTimeUs: 9 })).toBe(true);
    // A restarted origin starts its indexes again.
    expect(cam.ingest(frames[4]!, { index: 0, timestamp: 200, origin: 'o2' })).toBe(true);
    const latest = cam.ring.latest()!;
    expect(latest.timestamp).toBe(200);
    expect(latest.frame.equals(frames[4]!)).toBe(true);
    expect(cam.ring.get(latest.index - 1)).toMatchObject({ timestamp: 100.6, deviceTimeUs: 9 });
    expect(cam.status().relay.dropped).toBe(2);
  });

  it('is online while the origin says online and news is fresh (a moment off the bus is not offline)', () => {
    const cam = new RelayCamera('door', 10, link());
    expect(cam.online).toBe(false);
    cam.update(record(true));
    expect(cam.online).toBe(true);
    cam.update(record(false, Date.now() + 1));
    expect(cam.online).toBe(false);
    const stale = new RelayCamera('door', 10, link());
    stale.update(record(true, Date.now() - 60_000));
    expect(stale.online).toBe(false);
    const offBus = new RelayCamera('door', 10, link(false));
    offBus.update(record(true));
    expect(offBus.online).toBe(true);
  });

  it('shows the origin’s status with its own viewers, and refuses control while off the bus', async () => {
    const cam = new RelayCamera('door', 10, link());
    cam.update(record(true));
    const lease = cam.attachViewer({ kind: 'stream', remote: '10.0.0.9:5000' });
    const s = cam.status();
    expect(s).toMatchObject({
      name: 'door',
      port: '/dev/ttyUSB0',
      relay: { origin: { host: 'pi', id: 'host-1-a' } },
    });
    expect(s.clients).toEqual([expect.objectContaining({ kind: 'stream', remote: '10.0.0.9:5000' })]);
    lease.release();
    await expect(new RelayCamera('x', 1, link(false)).control('quality', '1')).rejects.toBeInstanceOf(
      ControlError,
    );
  });
});
