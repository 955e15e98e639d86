import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReplaySource } from '../../src/source/replay.js';
import type { SourceSink } from '../../src/source/types.js';
import { until } from '../helpers/cli.js';
import { describeWithTools } from '../helpers/tools.js';

describe('ReplaySource', () => {
  let dir: string;
  let file: string;
  const data = Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 13 + 5) & 0xff));
  const sources: ReplaySource[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'replay-'));
    file = join(dir, 'capture.bin');
    writeFileSync(file, data);
  });
  afterEach(async () => {
    for (const s of sources.splice(0)) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function play(baudRate: number, loop = true) {
    const chunks: { t: number; chunk: Buffer }[] = [];
    const events: string[] = [];
    const sink: SourceSink = {
      data: (chunk) => chunks.push({ t: performance.now(), chunk: Buffer.from(chunk) }),
      online: () => events.push('online'),
      offline: (reason) => events.push(`offline:${reason ?? 'stop'}`),
    };
    const source = new ReplaySource({ file, baudRate, loop });
    sources.push(source);
    const bytes = (): Buffer => Buffer.concat(chunks.map((c) => c.chunk));
    return { source, sink, chunks, events, bytes };
  }

  it('plays the file byte-exact, never faster than the baud rate, in small chunks', async () => {
    // 80 000 baud = 8000 bytes/s: the 4000-byte file takes ~0.5 s.
    const { source, sink, chunks, bytes } = play(80_000, false);
    const t0 = performance.now();
    await source.start(sink);
    await until('the whole file', () => bytes().length >= data.length, 5000);
    expect(bytes().equals(data)).toBe(true);
    let total = 0;
    for (const { t, chunk } of chunks) {
      total += chunk.length;
      // Bytes delivered by time t never exceed what the pace allows (plus one 10 ms tick of slack).
      expect(total).toBeLessThanOrEqual(((t - t0) / 1000) * 8000 + 80 + 1);
    }
    expect(chunks.length).toBeGreaterThan(10);
  });

  it('loops at the end of the file and goes offline on stop', async () => {
    const { source, sink, events, bytes } = play(2_000_000);
    await source.start(sink);
    expect(source.online).toBe(true);
    await until('two and a half passes', () => bytes().length >= data.length * 2.5, 5000);
    const got = bytes();
    for (let i = 0; i + data.length <= got.length; i += data.length) {
      expect(got.subarray(i, i + data.length).equals(data)).toBe(true);
    }
    expect(source.loops).toBeGreaterThanOrEqual(2);
    await source.stop();
    expect(source.online).toBe(false);
    expect(events).toEqual(['online', 'offline:stop']);
  });

  it('names a missing file and refuses commands', async () => {
    const missing = new ReplaySource({ file: join(dir, 'nope.camf'), baudRate: 921_600 });
    await expect(missing.start(play(1).sink)).rejects.toMatchObject({
      code: 'ENOENT',
      message: `no such replay file ${join(dir, 'nope.camf')}`,
    });
    await expect(missing.write(Buffer.from('x'))).rejects.toMatchObject({ code: 'READONLY' });
    expect(() => new ReplaySource({ file, baudRate: 0 })).toThrow(/"baudRate" must be greater than 0/);
  });
});

describeWithTools(['mkfifo'], 'ReplaySource of a file that is not a regular file', () => {
  let dir: string;
  const sources: ReplaySource[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'replay-stream-'));
  });
  afterEach(async () => {
    for (const s of sources.splice(0)) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function sink(): SourceSink & { bytes: () => number; received: Buffer[]; events: string[] } {
    const received: Buffer[] = [];
    const events: string[] = [];
    return {
      received,
      events,
      bytes: () => received.reduce((n, c) => n + c.length, 0),
      data: (chunk) => received.push(Buffer.from(chunk)),
      online: () => events.push('online'),
      offline: (reason) => events.push(`offline:${reason ?? 'stop'}`),
    };
  }

  it('a FIFO: starts without a writer, plays what each writer writes as it comes, reads ahead no more than a bound', async () => {
    const fifo = join(dir, 'cam.fifo');
    execFileSync('mkfifo', [fifo]);
    const source = new ReplaySource({ file: fifo, baudRate: 2_000_000 });
    sources.push(source);
    const s = sink();
    const t0 = performance.now();
    await source.start(s);
    expect(performance.now() - t0, 'start does not wait for a writer').toBeLessThan(1000);
    expect(source.online).toBe(true);

    // Two writers one after the other: both are played, in order (a writer closing is not the end).
    for (const text of ['first writer\n', 'second writer\n']) {
      const fd = openSync(fifo, constants.O_WRONLY);
      writeSync(fd, text);
      closeSync(fd);
      await until(text, () => Buffer.concat(s.received).toString().endsWith(text), 5000);
    }
    expect(Buffer.concat(s.received).toString()).toBe('first writer\nsecond writer\n');

    // A writer far faster than the pace (2 Mbaud = 200 kB/s) is held back: the FIFO fills and
    // the gateway has read no more than its read-ahead bound, not everything offered.
    source.pause();
    const played = s.bytes();
    const fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    let accepted = 0;
    let stillFull = 0;
    const block = Buffer.alloc(64 * 1024, 0x41);
    // Offer as much as the FIFO takes, turn after turn, until it stays full: the reader has paused.
    await until(
      'the FIFO to stay full',
      () => {
        let now = 0;
        try {
          for (;;) now += writeSync(fd, block);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
        }
        accepted += now;
        stillFull = now === 0 ? stillFull + 1 : 0;
        return stillFull >= 5;
      },
      5000,
    );
    closeSync(fd);
    expect(accepted).toBeLessThan(256 * 1024 + 64 * 1024 + 1024 * 1024);
    source.resume();
    await until('the held-back bytes played', () => s.bytes() === played + accepted, 10_000);
    expect(s.events).toEqual(['online']);
  });

  it('/dev/zero: plays it as an endless stream at the baud rate, never loading it', async () => {
    const source = new ReplaySource({ file: '/dev/zero', baudRate: 80_000 });
    sources.push(source);
    const s = sink();
    const rss0 = process.memoryUsage().rss;
    const t0 = performance.now();
    await source.start(s);
    await until('half a second of bytes', () => s.bytes() >= 4000, 5000);
    const elapsed = (performance.now() - t0) / 1000;
    // 80 000 baud = 8000 bytes/s, one 10 ms tick of slack.
    expect(s.bytes()).toBeLessThanOrEqual(elapsed * 8000 + 81);
    expect(s.received.every((c) => c.every((b) => b === 0))).toBe(true);
    expect(process.memoryUsage().rss - rss0).toBeLessThan(64 * 1024 * 1024);
  });
});
