import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReplaySource } from '../../src/source/replay.js';
import type { SourceSink } from '../../src/source/types.js';
import { until } from '../helpers/cli.js';

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
