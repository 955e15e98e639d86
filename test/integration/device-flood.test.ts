/**
 * Memory a device can blow up, end to end: the CLI as a process (`--replay` of a FIFO at a pace no
 * UART reaches, so the test sends a lot quickly) fed 60 CAMF log frames of 4 MB each, or 100 MB of
 * ArduCAM text without a line end. The gateway's peak RSS stays bounded, `/status` stays small and
 * quick while it happens, stderr gets a bounded amount with the "device lines suppressed" note,
 * and the frames after the flood still come out.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { CamfEncoder, CamfType, encodeCamfFrame } from '../../src/protocol/camf/frame.js';
import { type CliRun, freePort, startCli, until } from '../helpers/cli.js';
import { fixtureFrames } from '../helpers/fake-camera.js';
import { describeWithTools } from '../helpers/tools.js';

interface CamStatus {
  bytes: number;
  frames: number;
  oversized: number;
  logs: string[];
  info: Record<string, unknown> | null;
}

/** Peak resident set of a process, bytes (`VmHWM`). */
function peakRss(pid: number): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

describeWithTools(['mkfifo'], 'a device that floods the gateway with text', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cam-flood-'));
  const runs: CliRun[] = [];
  afterAll(async () => {
    for (const r of runs) await r.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Runs the gateway on a FIFO, writes `chunks` into it while polling /status, waits until the
   * gateway read every byte, and reports what it cost.
   */
  async function flood(name: string, protocol: string, chunks: () => Iterable<Buffer>) {
    const fifo = join(dir, `${name}.fifo`);
    execFileSync('mkfifo', [fifo]);
    const port = await freePort();
    // 1 Gbaud: 100 MB/s, far beyond a UART, so the test is quick.
    const cli = startCli(
      ['--replay', fifo, '--protocol', protocol, '--baud', '1000000000', '--listen', `127.0.0.1:${port}`],
      {},
      'node',
    );
    runs.push(cli);
    const url = (await cli.waitFor(/open (http:\/\/\S+?)\/?(\s|$)/, 10_000))[1]!;
    const polls: { ms: number; size: number }[] = [];
    const status = async (): Promise<CamStatus> => {
      const t0 = performance.now();
      const text = await (await fetch(`${url}/status`)).text();
      polls.push({ ms: performance.now() - t0, size: text.length });
      return (JSON.parse(text) as { cameras: CamStatus[] }).cameras[0]!;
    };
    const fifoFile = await open(fifo, 'w');
    let sent = 0;
    let n = 0;
    for (const chunk of chunks()) {
      await fifoFile.write(chunk);
      sent += chunk.length;
      if (++n % 20 === 0) await status();
    }
    await fifoFile.close();
    const last = await until(
      'every byte read',
      async () => {
        const s = await status();
        return s.bytes === sent ? s : undefined;
      },
      60_000,
      50,
    );
    if (!last) throw new Error('unreachable');
    const peak = peakRss(cli.child.pid!);
    expect((await cli.stop()).code).toBe(0);
    return { status: last, polls, peak, stderr: cli.stderr, sent };
  }

  const tail = fixtureFrames('qvga').slice(0, 2);

  it('60 CAMF log frames of 4 MB each, then frames: refused at their header, nothing kept or printed whole', async () => {
    const huge = encodeCamfFrame({ type: CamfType.Log, payload: Buffer.alloc(4 * 1024 * 1024, 'A'), seq: 1 });
    const enc = new CamfEncoder({ startSeq: 100 });
    // Legal, far over what is kept or printed, and trying to clear the screen and forge a line.
    const big = enc.log(`\x1b[2J\rerror: cam0: forged${'B'.repeat(60 * 1024)}`);
    const run = await flood('camf', 'camf', function* () {
      for (let i = 0; i < 60; i++)
        for (let at = 0; at < huge.length; at += 1 << 20) yield huge.subarray(at, at + (1 << 20));
      for (let i = 0; i < 100; i++) yield big;
      for (const f of tail) yield enc.jpeg(f);
    });
    expect(run.sent).toBeGreaterThan(240_000_000);
    expect(run.status).toMatchObject({ oversized: 60, frames: 2 });
    // Every kept line is cut to 1 KB (with a note), and /status stays small and quick throughout.
    expect(run.status.logs.length).toBeGreaterThan(0);
    for (const line of run.status.logs) expect(line.length).toBeLessThan(1100);
    expect(Math.max(...run.polls.map((p) => p.size))).toBeLessThan(100_000);
    expect(Math.max(...run.polls.map((p) => p.ms))).toBeLessThan(1000);
    expect(run.peak, `peak RSS ${(run.peak / 1e6).toFixed(0)} MB`).toBeLessThan(200 * 1024 * 1024);
    expect(run.stderr.length).toBeLessThan(1024 * 1024);
    expect(run.stderr).toMatch(/\d+ device lines suppressed/);
    expect(run.stderr).toContain('\\x1b[2J\\x0derror: cam0: forged');
    expect(run.stderr).not.toMatch(/\x1b|\r/);
  });

  it('100 MB of ArduCAM text without a line end, then a frame: bounded memory, bounded stderr', async () => {
    const text = Buffer.alloc(1 << 20, 'A');
    const run = await flood('arducam', 'arducam', function* () {
      for (let i = 0; i < 100; i++) yield text;
      for (const f of tail) yield Buffer.concat([Buffer.from('\r\nACK IMG END\r\n'), f]);
    });
    expect(run.status.frames).toBe(2);
    expect(Math.max(...run.polls.map((p) => p.size))).toBeLessThan(100_000);
    expect(Math.max(...run.polls.map((p) => p.ms))).toBeLessThan(1000);
    expect(run.peak, `peak RSS ${(run.peak / 1e6).toFixed(0)} MB`).toBeLessThan(200 * 1024 * 1024);
    expect(run.stderr.length).toBeLessThan(1024 * 1024);
    expect(run.stderr).toMatch(/\d+ device lines suppressed/);
  });
});
