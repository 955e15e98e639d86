/**
 * `cam-gateway --stdout` as a pipe source, as go2rtc's `exec:` and `ffmpeg -f mjpeg -i -` use it:
 * the gateway's stdout piped into a real ffmpeg, which decodes 30 frames; logs stay on stderr;
 * the gateway exits 0 once its reader went away.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { expect } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { itWithTools } from '../helpers/tools.js';

function exitOf(child: ReturnType<typeof spawn>): Promise<number | null> {
  return new Promise((r) => child.once('exit', (code) => r(code)));
}

itWithTools(
  ['ffmpeg'],
  'cam-gateway --demo --stdout | ffmpeg -f mjpeg -i - -frames:v 30 decodes 30 frames',
  async () => {
    const gateway = spawn(
      process.execPath,
      [resolve(REPO_ROOT, 'bin', 'cam-gateway.js'), '--demo', '--stdout'],
      {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const ffmpeg = spawn(
      'ffmpeg',
      ['-hide_banner', '-nostats', '-f', 'mjpeg', '-i', '-', '-frames:v', '30', '-f', 'framemd5', '-'],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let first: Buffer | undefined;
    gateway.stdout!.once('data', (chunk: Buffer) => {
      first = chunk;
    });
    gateway.stdout!.pipe(ffmpeg.stdin!);
    ffmpeg.stdin!.on('error', () => {}); // ffmpeg closes its input after 30 frames
    // As in a shell pipe, the read end closes with ffmpeg: the gateway's next write gets EPIPE.
    ffmpeg.once('exit', () => gateway.stdout!.destroy());
    let stderr = '';
    gateway.stderr!.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
    });
    let md5 = '';
    ffmpeg.stdout!.setEncoding('utf8').on('data', (s: string) => {
      md5 += s;
    });
    ffmpeg.stderr!.resume();
    const [ffmpegCode, gatewayCode] = await Promise.all([exitOf(ffmpeg), exitOf(gateway)]);
    expect(ffmpegCode).toBe(0);
    // framemd5 prints one line per decoded frame: 30 frames of 320×240 video.
    const frames = md5.split('\n').filter((l) => /^0,/.test(l));
    expect(frames).toHaveLength(30);
    expect(md5).toMatch(/#dimensions 0: 320x240/);
    expect(new Set(frames.map((l) => l.split(',').at(-1))).size, 'the picture moves').toBeGreaterThan(5);
    // stdout carried JPEGs only; the summary and logs went to stderr; the gateway left by itself.
    expect(first!.subarray(0, 2).toString('hex')).toBe('ffd8');
    expect(stderr).toMatch(/cam0's frames go to stdout/);
    expect(stderr).toMatch(/stdout: the reader went away/);
    expect(gatewayCode).toBe(0);
  },
  30_000,
);
