/** `npx cam-gateway --demo` end to end: snapshot, 10 stream frames, clean SIGTERM. */
import { afterAll, describe, expect, it } from 'vitest';
import { jpegSize } from '../../src/protocol/jpeg/info.js';
import { NO_SIGNAL_JPEG } from '../../src/stream/no-signal.js';
import { type CliRun, freePort, type ReceivedPart, startCli, watchStream } from '../helpers/cli.js';

/**
 * A part carrying a frame from the camera: the stream numbers those (`X-Frame-Index`), while the
 * NO SIGNAL card it sends until the first frame arrives has no index (and is also 320×240).
 */
const isCameraFrame = (p: ReceivedPart): boolean =>
  p.headers['x-frame-index'] !== undefined && !p.body.equals(NO_SIGNAL_JPEG);

describe('cam-gateway --demo', () => {
  let cli: CliRun | undefined;
  afterAll(async () => {
    await cli?.stop();
  });

  it('shows a moving 320×240 picture within a second and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    cli = startCli(['--demo', '--listen', `127.0.0.1:${port}`]);
    const url = (await cli.waitFor(/open (http:\/\/\S+?)\/?(\s|$)/))[1]!;
    const upAt = performance.now();
    const stream = await watchStream(`${url}/stream`);
    const first = await stream.waitForPart('a camera frame (not the NO SIGNAL card)', isCameraFrame, 5000);
    expect(jpegSize(first.body)).toEqual({ width: 320, height: 240 });
    const firstFrameMs = first.at - upAt;

    const snapshot = await fetch(`${url}/snapshot`);
    expect(snapshot.status).toBe(200);
    expect(snapshot.headers.get('content-type')).toBe('image/jpeg');
    const jpeg = Buffer.from(await snapshot.arrayBuffer());
    expect(jpeg.subarray(0, 2).toString('hex')).toBe('ffd8');
    expect(jpeg.subarray(-2).toString('hex')).toBe('ffd9');
    expect(jpegSize(jpeg)).toEqual({ width: 320, height: 240 });

    await stream.waitForPart(
      'the 10th camera frame',
      () => stream.parts.filter(isCameraFrame).length >= 10,
      10_000,
    );
    stream.close();
    const ten = stream.parts.filter(isCameraFrame).slice(0, 10);
    for (const p of ten) expect(jpegSize(p.body)).toEqual({ width: 320, height: 240 });
    expect(new Set(ten.map((p) => p.body.toString('base64'))).size, 'the picture moves').toBeGreaterThan(5);

    const { code, ms } = await cli.stop('SIGTERM');
    console.log(
      `demo: first frame ${firstFrameMs.toFixed(0)} ms after listening; SIGTERM → exit in ${ms.toFixed(0)} ms`,
    );
    expect(code).toBe(0);
    expect(ms).toBeLessThan(1000);
    expect(firstFrameMs).toBeLessThan(1000);
  }, 60_000);
});
