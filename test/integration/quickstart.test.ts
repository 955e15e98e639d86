/**
 * The README's library example, in-process: createGateway with the demo
 * camera, watch it over HTTP, stop it. (The clone-and-install quick start is
 * scripts/verify-quickstart.sh: too slow for `npm test`.)
 */
import { describe, expect, it } from 'vitest';
import { createGateway, jpegSize } from '../../src/index.js';
import { watchStream } from '../helpers/cli.js';

describe('createGateway (library quick start)', () => {
  it('serves the demo camera and stops within a second with a stream open', async () => {
    const gateway = createGateway({ cameras: [{ name: 'demo', demo: true }], port: 0 });
    expect(gateway.url).toBe('');
    await gateway.start();
    try {
      expect(gateway.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const [camera] = gateway.cameras;
      expect(camera!.status()).toMatchObject({ name: 'demo', port: 'demo', online: true });

      const entry = await camera!.ring.next(-1);
      expect(jpegSize(entry!.frame)).toEqual({ width: 320, height: 240 });

      const stream = await watchStream(`${gateway.url}/cams/demo/stream`);
      expect(stream.status).toBe(200);
      await stream.waitForPart('three frames', () => stream.parts.length >= 3, 5000);
      expect(camera!.status().clients).toHaveLength(1);

      const response = await gateway.app.request('/status');
      expect(response.status).toBe(200);
      const body = (await response.json()) as {
        cameras: { name: string; frames: number; detectedProtocol: string }[];
      };
      expect(body.cameras[0]).toMatchObject({ name: 'demo', detectedProtocol: 'camf' });
      expect(body.cameras[0]!.frames).toBeGreaterThanOrEqual(3);

      const t0 = performance.now();
      await gateway.stop();
      const ms = performance.now() - t0;
      expect(ms).toBeLessThan(1000);
      expect(camera!.online).toBe(false);
      expect(gateway.http.openStreams).toBe(0);
    } finally {
      await gateway.stop();
    }
  });

  it('refuses a configuration with one clear line', () => {
    expect(() => createGateway({ cameras: [] })).toThrow('no camera: give a port, a replay file or demo');
    expect(() => createGateway({ cameras: [{ port: '/dev/ttyUSB0', demo: true }] })).toThrow(
      'camera cam0 needs exactly one of port, replay, demo or source',
    );
    expect(() => createGateway({ cameras: [{ demo: true, protocol: 'h264' as 'camf' }] })).toThrow(
      /^protocol must be one of auto \| camf/,
    );
  });
});
