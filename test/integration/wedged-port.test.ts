/**
 * A device that stops reading its serial input must never stop the gateway reading it: on a real
 * pty whose device end never reads, frames keep arriving on /stream while tens of kB of commands
 * are refused or time out, and /control answers 504 within its timeout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { CamfEncoder } from '../../src/protocol/camf/frame.js';
import type { SerialSource } from '../../src/source/serial.js';
import { SourceError } from '../../src/source/types.js';
import { watchStream } from '../helpers/cli.js';
import { fixtureFrames } from '../helpers/fake-camera.js';
import { openDeafPty } from '../helpers/pty.js';
import { describeWithTools } from '../helpers/tools.js';

describeWithTools(['socat', 'mkfifo'], 'a serial device that stops reading its input', () => {
  let dir: string;
  let pty: Awaited<ReturnType<typeof openDeafPty>>;
  let gateway: Gateway;
  let playing = true;
  let playback: Promise<void>;
  const frames = fixtureFrames('qvga');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cam-wedged-'));
    pty = await openDeafPty(dir);
    gateway = createGateway({ cameras: [{ port: pty.dev, protocol: 'camf' }], port: 0 });
    await gateway.start();
    // The camera streams CAMF frames at 2 Mbaud for as long as the test runs.
    const enc = new CamfEncoder();
    playback = (async () => {
      for (let i = 0; playing; i++) await pty.device.write(enc.jpeg(frames[i % frames.length]!));
    })();
  });
  afterAll(async () => {
    playing = false;
    await pty?.device.close();
    await playback;
    await gateway?.stop();
    await pty?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps serving frames while 60 kB of commands pile up, are refused or time out, and /control answers 504 in time', async () => {
    const stream = await watchStream(`${gateway.url}/stream`);
    await stream.waitForPart('a first frame', (p) => frames.some((f) => f.equals(p.body)), 10_000);
    const source = gateway.cameras[0]!.source as SerialSource;

    // 60 kB of commands, 200 bytes at a time, as fast as they are taken: far more than the pty
    // holds once its device end stopped reading.
    const command = new CamfEncoder().command('x', 'y'.repeat(160));
    const outcomes = new Map<string, number>();
    const writes: Promise<void>[] = [];
    const write = (): void => {
      writes.push(
        source.write(command).then(
          () => void outcomes.set('written', (outcomes.get('written') ?? 0) + command.length),
          (err: unknown) => {
            const code = err instanceof SourceError ? err.code : String(err);
            outcomes.set(code, (outcomes.get(code) ?? 0) + command.length);
          },
        ),
      );
    };
    for (let sent = 0; sent < 60_000; sent += command.length) {
      write();
      await new Promise((r) => setImmediate(r));
    }
    const before = stream.parts.length;
    // The tty layer may still take some of it later (its buffers are handed on by a kernel worker,
    // late on a busy machine): go on writing, a command every 20 ms, until the pty holds all it can
    // and the waiting writes time out.
    const until = performance.now() + 15_000;
    while (!outcomes.has('TIMEOUT') && performance.now() < until) {
      write();
      await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.all(writes);
    const refused = (outcomes.get('FULL') ?? 0) + (outcomes.get('TIMEOUT') ?? 0);
    expect(refused, JSON.stringify([...outcomes])).toBeGreaterThan(30_000);
    expect(outcomes.get('TIMEOUT'), JSON.stringify([...outcomes])).toBeGreaterThan(0);
    // While they piled up and timed out (3 s), the frames kept coming.
    expect(stream.parts.length - before).toBeGreaterThan(10);

    // /control gets its 504 within its 3 s timeout, not never.
    const t0 = performance.now();
    const answer = await fetch(`${gateway.url}/control?var=quality&val=10`);
    const took = performance.now() - t0;
    expect(answer.status).toBe(504);
    expect(((await answer.json()) as { error: string }).error).toMatch(
      /not reading its input|did not answer/,
    );
    expect(took).toBeGreaterThan(2_500);
    expect(took).toBeLessThan(4_500);
    const after = stream.parts.length;
    await stream.waitForPart(
      'frames after the 504',
      (p) => frames.some((f) => f.equals(p.body)),
      5000,
      after,
    );
    stream.close();
    const status = (await (await fetch(`${gateway.url}/status`)).json()) as {
      cameras: { online: boolean; crcErrors: number }[];
    };
    expect(status.cameras[0]).toMatchObject({ online: true });
  });
});
