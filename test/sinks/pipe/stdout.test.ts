import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FramePipe } from '../../../src/sinks/pipe/stdout.js';
import { until } from '../../helpers/cli.js';
import { FakeCamera, fixtureFrames } from '../../helpers/fake-camera.js';

describe('the stdout pipe', () => {
  it('writes each new JPEG as it is, back to back', async () => {
    const camera = new FakeCamera('cam');
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const pipe = new FramePipe(camera, out);
    pipe.start();
    const frames = fixtureFrames().slice(0, 3);
    for (const f of frames) camera.push(f);
    await until('3 JPEGs', () => chunks.length >= 3);
    expect(Buffer.concat(chunks)).toEqual(Buffer.concat(frames));
    pipe.stop();
  });

  it('a reader that does not keep up gets the newest frame, not a backlog (memory stays bounded)', async () => {
    const camera = new FakeCamera('cam');
    const out = new PassThrough({ highWaterMark: 1024 });
    const pipe = new FramePipe(camera, out);
    pipe.start();
    const frames = fixtureFrames();
    for (const f of frames) camera.push(f);
    // The first frame filled the pipe; the rest waited and only the newest goes next.
    expect(pipe.frames).toBe(1);
    const read: Buffer[] = [];
    out.on('data', (c: Buffer) => read.push(c));
    await until('the newest frame after the drain', () => pipe.frames === 2);
    await until(
      'both written',
      () => Buffer.concat(read).length === frames[0]!.length + frames.at(-1)!.length,
    );
    expect(Buffer.concat(read)).toEqual(Buffer.concat([frames[0]!, frames.at(-1)!]));
    pipe.stop();
  });

  it('the reader going away ends the pipe once, with the reason', async () => {
    const camera = new FakeCamera('cam');
    const out = new PassThrough();
    const reasons: string[] = [];
    const pipe = new FramePipe(camera, out, { onClosed: (r) => reasons.push(r) });
    pipe.start();
    out.destroy(new Error('write EPIPE'));
    await until('closed', () => reasons.length > 0);
    camera.push(fixtureFrames()[0]!);
    expect(reasons).toEqual(['write EPIPE']);
    expect(pipe.frames).toBe(0);
  });
});
