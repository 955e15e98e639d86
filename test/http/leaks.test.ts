/**
 * Clients that vanish mid-frame must leave nothing behind: no ring waiter, no
 * unreleased viewer lease, no open-stream record, no timer, no socket.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { FakeCamera, fixtureFrames, paddedJpeg } from '../helpers/fake-camera.js';
import { StreamClient, startGateway, waitFor } from '../helpers/http.js';

const CYCLES = 1000;
const BATCH = 25;

function resourceCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

/** Connect, ask for a stream, read the first bytes of the body, and hang up (mid-frame with big frames). */
function connectAndDrop(port: number, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let seen = 0;
    socket.on('error', reject);
    socket.on('close', () => resolve());
    socket.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      // Past the response head and the first part's headers: we are inside a frame's bytes.
      if (seen > 4096) socket.destroy();
    });
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  });
}

describe('connect/disconnect cycles', () => {
  it(`${CYCLES} clients dropping mid-frame leak no waiter, lease, stream, timer or socket`, async () => {
    const cam = new FakeCamera('front');
    const base = fixtureFrames()[0]!;
    cam.push(paddedJpeg(base, 256 * 1024));
    const gw = await startGateway({ cameras: [cam], version: '1', stillResendMs: 20 });
    try {
      const paths = ['/stream', '/stream?fps=3', '/stream?advance_headers=1', '/cams/front/stream'];
      // Warm up once so lazily created resources exist in the baseline.
      await connectAndDrop(gw.server.port, '/stream');
      await waitFor(() => gw.gateway.openStreams === 0, 'warm-up stream closed');
      const before = resourceCounts();

      for (let done = 0; done < CYCLES; done += BATCH) {
        await Promise.all(
          Array.from({ length: BATCH }, (_, i) =>
            connectAndDrop(gw.server.port, paths[(done + i) % paths.length]!),
          ),
        );
        if (done % 200 === 0) cam.push(paddedJpeg(base, 256 * 1024, done));
      }

      await waitFor(() => gw.gateway.openStreams === 0, 'every stream record released');
      expect(cam.ring.waiting).toBe(0);
      expect(cam.activeViewers).toHaveLength(0);
      expect(cam.viewers.size).toBe(CYCLES + 1);
      expect([...cam.viewers.values()].every((v) => v.releaseCalls === 1)).toBe(true);
      const settled = (): boolean => {
        const now = resourceCounts();
        return (
          (now.Timeout ?? 0) <= (before.Timeout ?? 0) &&
          (now.TCPSocketWrap ?? 0) <= (before.TCPSocketWrap ?? 0)
        );
      };
      await waitFor(settled, 'timers and sockets back to the baseline');
      const after = resourceCounts();
      expect(after.Timeout ?? 0).toBeLessThanOrEqual(before.Timeout ?? 0);
      expect(after.TCPSocketWrap ?? 0).toBeLessThanOrEqual(before.TCPSocketWrap ?? 0);

      // And the gateway still serves: the next client gets a frame.
      const c = await StreamClient.open(gw.url, '/stream');
      await c.waitForParts(1);
      c.destroy();
    } finally {
      await gw.close();
    }
  });
});
