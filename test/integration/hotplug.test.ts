/**
 * Unplug and replug 20 times: kill the pty (its link vanishes, like a USB
 * device), recreate it, and the SAME HTTP stream must carry the new device's
 * frames within a second of the device path reappearing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CamfEncoder } from '../../src/protocol/camf/frame.js';
import { type CliRun, freePort, startCli, until, watchStream } from '../helpers/cli.js';
import { fixtureFrames } from '../helpers/fake-camera.js';
import { openPty, PacedWriter, type Pty } from '../helpers/pty.js';
import { describeWithTools } from '../helpers/tools.js';

const CYCLES = 20;

/** The JPEG with a COM segment carrying `tag` right after SOI (still a valid JPEG). */
function tagged(jpeg: Buffer, tag: string): Buffer {
  const text = Buffer.from(tag, 'latin1');
  const len = text.length + 2;
  return Buffer.concat([
    jpeg.subarray(0, 2),
    Buffer.from([0xff, 0xfe, len >> 8, len & 0xff]),
    text,
    jpeg.subarray(2),
  ]);
}

describeWithTools(['socat'], 'hot-plug', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cam-hotplug-'));
  });
  let pty: Pty | undefined;
  let cli: CliRun | undefined;
  afterAll(async () => {
    await cli?.stop();
    await pty?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`reconnects within 1 s of the device reappearing, ${CYCLES} times, on the same stream`, async () => {
    pty = await openPty(dir);
    const port = await freePort();
    cli = startCli(['--port', pty.dev, '--protocol', 'camf', '--listen', `127.0.0.1:${port}`]);
    const url = (await cli.waitFor(/open (http:\/\/\S+?)\/?(\s|$)/))[1]!;
    const status = async (): Promise<{ online: boolean }> =>
      ((await (await fetch(`${url}/status`)).json()) as { cameras: { online: boolean }[] }).cameras[0]!;
    const stream = await watchStream(`${url}/stream`);
    const frames = fixtureFrames('qvga').slice(0, 4);
    const latencies: number[] = [];

    for (let cycle = 0; cycle <= CYCLES; cycle++) {
      if (cycle > 0) {
        await pty.close(); // unplug
        await until('the camera to go offline', async () => !(await status()).online, 5000).catch(
          (err: Error) => {
            throw new Error(`cycle ${cycle}: ${err.message}\n${cli!.stderr}`);
          },
        );
        pty = await openPty(dir); // replug: resolves as soon as the device link exists
      }
      const linkAt = performance.now();
      const from = stream.parts.length;
      const tag = `hotplug-cycle-${cycle}`;
      const device = new CamfEncoder();
      const writer = await PacedWriter.open(pty.host, 200_000);
      const writing = writer.write(
        Buffer.concat(frames.map((f, i) => device.jpeg(tagged(f, `${tag}-${i};`)))),
      );
      const part = await stream.waitForPart(tag, (p) => p.body.includes(`${tag}-`), 5000, from);
      if (cycle > 0) latencies.push(part.at - linkAt);
      await writer.close();
      await writing;
    }
    stream.close();
    const max = Math.max(...latencies);
    const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
    console.log(
      `hot-plug: ${latencies.length} replugs, link → first new frame on the same stream: ` +
        `max ${max.toFixed(0)} ms, mean ${mean.toFixed(0)} ms`,
    );
    expect(latencies).toHaveLength(CYCLES);
    for (const ms of latencies) expect(ms).toBeLessThan(1000);
  }, 60_000);
});
