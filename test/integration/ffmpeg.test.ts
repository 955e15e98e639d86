/**
 * Real ffmpeg reads the gateway's /stream: it decodes the frames (`-f mjpeg`,
 * as users run it) and, through its multipart demuxer, copies them out
 * byte-for-byte (`-f mpjpeg -c copy`).
 */
import { spawn } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { FakeCamera, fixtureFrames } from '../helpers/fake-camera.js';
import { startGateway, type TestGateway, waitFor } from '../helpers/http.js';
import { describeWithTools } from '../helpers/tools.js';

const frames = fixtureFrames();
let gw: TestGateway | undefined;

afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

interface FfmpegRun {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/**
 * Run ffmpeg against a fresh gateway, publishing the next fixture frame each
 * time the previous one has been handed to ffmpeg's connection (so none is
 * skipped), until ffmpeg exits.
 */
async function runFfmpeg(args: (url: string) => string[]): Promise<FfmpegRun> {
  const cam = new FakeCamera('front');
  gw = await startGateway({ cameras: [cam], version: '1', stillResendMs: 60_000 });
  cam.push(frames[0]!);
  const ff = spawn('ffmpeg', ['-hide_banner', '-nostdin', ...args(`${gw.url}/stream`)]);
  const out: Buffer[] = [];
  let stderr = '';
  let code: number | null | undefined;
  ff.stdout.on('data', (d: Buffer) => out.push(d));
  ff.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  ff.on('exit', (c) => {
    code = c;
  });
  for (let i = 1; code === undefined && i < 100; i++) {
    await waitFor(
      () => code !== undefined || (cam.viewers.get(1)?.frames ?? 0) >= i,
      `ffmpeg to take frame ${i - 1}`,
      20_000,
    );
    if (code === undefined) cam.push(frames[i % frames.length]!);
  }
  await waitFor(() => code !== undefined, 'ffmpeg to exit', 20_000);
  await waitFor(() => gw!.gateway.openStreams === 0, 'the stream to close after ffmpeg left');
  expect(cam.activeViewers).toHaveLength(0);
  return { code: code ?? null, stdout: Buffer.concat(out), stderr };
}

describeWithTools(['ffmpeg'], 'ffmpeg as a client', () => {
  it('decodes 10 frames from /stream (-f mjpeg)', async () => {
    const run = await runFfmpeg((url) => ['-f', 'mjpeg', '-i', url, '-frames:v', '10', '-f', 'null', '-']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/320x240/);
    expect(run.stderr).toMatch(/frame=\s*10\b/);
    expect(run.stderr).not.toMatch(/error|invalid|corrupt/i);
  });

  it('copies 10 frames out byte-exact through its multipart demuxer (-f mpjpeg -c copy)', async () => {
    const run = await runFfmpeg((url) => [
      '-f',
      'mpjpeg',
      '-i',
      url,
      '-frames:v',
      '10',
      '-c',
      'copy',
      '-f',
      'image2pipe',
      'pipe:1',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.equals(Buffer.concat(frames.slice(0, 10)))).toBe(true);
  });
});
