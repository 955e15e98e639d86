/**
 * The CLI as a user starts it (`npx cam-gateway --port <pty> …`) on a real
 * pseudo-terminal, a "device" writing CAMF at 2 Mbaud on the other end.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CamfEncoder } from '../../src/protocol/camf/frame.js';
import { NO_SIGNAL_JPEG } from '../../src/stream/no-signal.js';
import { type CliRun, freePort, runCli, startCli, watchStream } from '../helpers/cli.js';
import { fixtureFrames } from '../helpers/fake-camera.js';
import { openPty, PacedWriter, type Pty } from '../helpers/pty.js';
import { describeWithTools } from '../helpers/tools.js';

describeWithTools(['socat'], 'cam-gateway on a real pty', () => {
  let dir: string;
  let pty: Pty;
  let cli: CliRun;
  let url: string;
  let record: string;
  let written: Buffer;
  const frames = fixtureFrames('qvga');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cam-pty-'));
    record = join(dir, 'capture.camf');
    pty = await openPty(dir);
    const port = await freePort();
    cli = startCli([
      '--port',
      pty.dev,
      '--protocol',
      'camf',
      '--listen',
      `127.0.0.1:${port}`,
      '--record',
      record,
    ]);
    url = (await cli.waitFor(/open (http:\/\/\S+?)\/?(\s|$)/))[1]!;
  }, 60_000);
  afterAll(async () => {
    await cli?.stop();
    await pty?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves what the device sends at 2 Mbaud on /stream, byte-exact and in order', async () => {
    const device = new CamfEncoder();
    const stream = await watchStream(`${url}/stream`);
    expect(stream.status).toBe(200);
    const writer = await PacedWriter.open(pty.host, 200_000);
    written = Buffer.concat([
      device.info({ model: 'pty-test', sensor: 'OV2640' }),
      device.log('hello from the pty'),
      ...frames.map((f) => device.jpeg(f)),
    ]);
    await writer.write(written);
    await writer.close();
    await stream.waitForPart('the last frame', (p) => p.body.equals(frames.at(-1)!), 10_000);
    stream.close();

    const received = stream.parts.filter((p) => !p.body.equals(NO_SIGNAL_JPEG));
    let last = -1;
    for (const part of received) {
      const index = frames.findIndex((f, i) => i > last && f.equals(part.body));
      expect(index, 'every frame on the stream is one the device sent, in order').toBeGreaterThan(last);
      last = index;
    }
    expect(received.length).toBeGreaterThanOrEqual(12);

    const status = (await (await fetch(`${url}/status`)).json()) as { cameras: Record<string, unknown>[] };
    expect(status.cameras[0]).toMatchObject({
      online: true,
      frames: 24,
      crcErrors: 0,
      info: { model: 'pty-test', sensor: 'OV2640' },
      logs: ['hello from the pty'],
    });
  });

  it('a second gateway on the same port exits 1 saying the port is busy and who holds it', async () => {
    const port = await freePort();
    const second = await runCli(
      ['--port', pty.dev, '--protocol', 'camf', '--listen', `127.0.0.1:${port}`],
      {},
      'node',
    );
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`cam-gateway: port ${pty.dev} is busy \\(held by pid \\d+ `));
  });

  it('stops on SIGTERM within a second with the --record file holding every byte; --replay plays it back', async () => {
    const { code, ms } = await cli.stop('SIGTERM');
    console.log(`pty: SIGTERM → exit ${code} in ${ms.toFixed(0)} ms (open port, open stream)`);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(1000);
    expect(readFileSync(record).equals(written)).toBe(true);

    const port = await freePort();
    const replay = startCli(
      ['--replay', record, '--baud', '2000000', '--listen', `127.0.0.1:${port}`],
      {},
      'node',
    );
    try {
      const replayUrl = (await replay.waitFor(/open (http:\/\/\S+?)\/?(\s|$)/))[1]!;
      const stream = await watchStream(`${replayUrl}/stream`);
      await stream.waitForPart('a recorded frame', (p) => frames.some((f) => f.equals(p.body)), 5000);
      stream.close();
      const status = (await (await fetch(`${replayUrl}/status`)).json()) as {
        cameras: Record<string, unknown>[];
      };
      expect(status.cameras[0]).toMatchObject({
        port: `replay:${record}`,
        detectedProtocol: 'camf',
        crcErrors: 0,
      });
    } finally {
      await replay.stop();
    }
  });
});

describeWithTools(['socat'], 'cam-gateway with two cameras', () => {
  it('serves each pty under its own name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cam-two-'));
    const a = await openPty(dir, 'left');
    const b = await openPty(dir, 'right');
    const port = await freePort();
    const cli = startCli(
      [
        '--port',
        `left=${a.dev}`,
        '--port',
        `right=${b.dev}`,
        '--protocol',
        'camf',
        '--listen',
        `127.0.0.1:${port}`,
      ],
      {},
      'node',
    );
    try {
      const url = (await cli.waitFor(/open (http:\/\/\S+?)\/?(\s|$)/))[1]!;
      expect(cli.stderr).toMatch(/left on \S+left @ 921600 baud \(protocol camf\), right on \S+right/);
      const frames = fixtureFrames('qvga');
      const left = await watchStream(`${url}/cams/left/stream`);
      const right = await watchStream(`${url}/cams/right/stream`);
      const wa = await PacedWriter.open(a.host);
      const wb = await PacedWriter.open(b.host);
      await Promise.all([
        wa.write(new CamfEncoder().jpeg(frames[0]!)),
        wb.write(new CamfEncoder().jpeg(frames[1]!)),
      ]);
      await left.waitForPart('the left frame', (p) => p.body.equals(frames[0]!));
      await right.waitForPart('the right frame', (p) => p.body.equals(frames[1]!));
      expect(left.parts.some((p) => p.body.equals(frames[1]!))).toBe(false);
      expect(right.parts.some((p) => p.body.equals(frames[0]!))).toBe(false);
      left.close();
      right.close();
      await wa.close();
      await wb.close();
      expect((await cli.stop('SIGINT')).code).toBe(0);
    } finally {
      await cli.stop();
      await a.close();
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
