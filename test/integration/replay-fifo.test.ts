/**
 * `--replay` of a FIFO, as a user runs it (`cam-gateway --replay cam.fifo`, then a program writes
 * the device bytes into the FIFO): the gateway starts without waiting for a writer, and serves
 * the frames as they are written.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { CamfEncoder } from '../../src/protocol/camf/frame.js';
import { type CliRun, freePort, startCli, watchStream } from '../helpers/cli.js';
import { fixtureFrames } from '../helpers/fake-camera.js';
import { describeWithTools } from '../helpers/tools.js';

describeWithTools(['mkfifo'], 'cam-gateway --replay FIFO', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cam-replay-fifo-'));
  let cli: CliRun | undefined;
  afterAll(async () => {
    await cli?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts with no writer yet, then serves each frame as it is written', async () => {
    const fifo = join(dir, 'cam.fifo');
    execFileSync('mkfifo', [fifo]);
    const port = await freePort();
    cli = startCli(['--replay', fifo, '--baud', '2000000', '--listen', `127.0.0.1:${port}`], {}, 'node');
    const url = (await cli.waitFor(/open (http:\/\/\S+?)\/?(\s|$)/, 10_000))[1]!;
    const stream = await watchStream(`${url}/stream`);
    const frames = fixtureFrames('qvga').slice(0, 3);
    const enc = new CamfEncoder();
    const fd = openSync(fifo, constants.O_WRONLY);
    try {
      for (const frame of frames) {
        writeSync(fd, enc.jpeg(frame));
        await stream.waitForPart('the frame just written', (p) => p.body.equals(frame), 5000);
      }
    } finally {
      closeSync(fd);
      stream.close();
    }
    const status = (await (await fetch(`${url}/status`)).json()) as { cameras: Record<string, unknown>[] };
    expect(status.cameras[0]).toMatchObject({
      online: true,
      detectedProtocol: 'camf',
      frames: 3,
      lastError: null,
    });
    expect((await cli.stop()).code).toBe(0);
  });
});
