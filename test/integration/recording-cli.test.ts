/**
 * Recording with the real CLI (`--demo --save DIR`): ffprobe reads every
 * segment, each frame at the X-Timestamp the live stream served for it and
 * none missing; a segment cut by `kill -9` decodes up to its last complete
 * frame; a folder that cannot be used is one line and exit 1; a `--min-free`
 * above the real free space pauses recording with one warning.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { type CliRun, freePort, startCli, until, watchStream } from '../helpers/cli.js';
import { decodeAll, probePackets, probeStream } from '../helpers/media.js';
import { folderFiles, tempFolder } from '../helpers/recording.js';
import { describeWithTools } from '../helpers/tools.js';

let runs: CliRun[] = [];
let folders: (() => void)[] = [];
afterEach(async () => {
  for (const r of runs) await r.stop('SIGKILL');
  for (const remove of folders) remove();
  runs = [];
  folders = [];
});

function folder(): string {
  const f = tempFolder('rec-cli');
  folders.push(f.remove);
  return f.dir;
}

async function gateway(args: string[]): Promise<{ run: CliRun; url: string }> {
  const port = await freePort();
  const run = startCli(['--demo', '--listen', `127.0.0.1:${port}`, ...args], {}, 'node');
  runs.push(run);
  await run.waitFor(/open http:\/\/127\.0\.0\.1:\d+\//);
  return { run, url: `http://127.0.0.1:${port}` };
}

interface RecordingJson {
  state: string;
  cameras: Record<
    string,
    {
      frames: number;
      file: string | null;
      skippedWhilePaused: number;
      segments: number;
      timelapseFrames: number;
    }
  >;
}

async function recording(url: string): Promise<RecordingJson> {
  const status = (await (await fetch(`${url}/status`)).json()) as { recording: RecordingJson };
  return status.recording;
}

describeWithTools(['ffprobe', 'ffmpeg'], 'recording from the command line', () => {
  it('every segment holds each frame the camera sent, at the X-Timestamp the stream served for it', async () => {
    const dir = folder();
    const { run, url } = await gateway(['--save', dir, '--segment', '1', '--timelapse', '0.5']);
    const stream = await watchStream(`${url}/stream`);
    await until('4 segments', async () => (await recording(url)).cameras.cam0!.segments >= 4, 20_000);
    stream.close();
    // The timelapse frames taken meanwhile, as one video.
    const stored = (await recording(url)).cameras.cam0!.timelapseFrames;
    expect(stored).toBeGreaterThanOrEqual(3);
    const video = await fetch(`${url}/cams/cam0/timelapse?fps=10`);
    const frameCount = Number(video.headers.get('x-timelapse-frames'));
    expect(frameCount).toBeGreaterThanOrEqual(stored);
    const timelapse = join(dir, 'timelapse.mkv');
    writeFileSync(timelapse, Buffer.from(await video.arrayBuffer()));
    expect((await probePackets(timelapse)).map((p) => p.pts)).toEqual(
      Array.from({ length: frameCount }, (_, k) => k / 10),
    );
    expect((await run.stop('SIGTERM')).code).toBe(0);

    const served = new Map<number, { t: number; bytes: number }>();
    for (const part of stream.parts) {
      if (part.headers['x-frame-index'] === undefined) continue; // the NO SIGNAL card
      served.set(Number(part.headers['x-frame-index']), {
        t: Number(part.headers['x-timestamp']),
        bytes: part.body.length,
      });
    }
    const byTime = [...served.entries()];
    const firstServed = Math.min(...byTime.map(([, x]) => x.t));
    const files = folderFiles(dir).filter((f) => f.endsWith('.mkv') && f.startsWith('cam0/2'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    let previousIndex: number | undefined;
    let matched = 0;
    let total = 0;
    for (const file of files) {
      const path = join(dir, file);
      const info = await probeStream(path);
      expect(info.codec).toBe('mjpeg');
      expect(Number(info.tags.NUMBER_OF_FRAMES)).toBeGreaterThan(0);
      const packets = await probePackets(path);
      expect(packets).toHaveLength(Number(info.tags.NUMBER_OF_FRAMES));
      for (const packet of packets) {
        const t = info.created! + packet.pts;
        if (t < firstServed - 0.001) continue; // recorded before the stream client connected
        total++;
        const hit = byTime.find(([, s]) => Math.abs(s.t - t) < 0.001 && s.bytes === packet.size);
        if (!hit) {
          previousIndex = undefined; // the stream skipped this one (a busy client): nothing to compare
          continue;
        }
        matched++;
        // Consecutive frame indexes: no frame the camera received is missing from the recording.
        if (previousIndex !== undefined) expect(hit[0]).toBe(previousIndex + 1);
        previousIndex = hit[0];
      }
      expect((await decodeAll(path)).code).toBe(0);
    }
    // Frames the stream skipped (a busy client gets the newest, by design) cannot be compared: few are.
    expect(matched / total, `${matched} of ${total} frames served on the stream`).toBeGreaterThan(0.8);
  }, 60_000);

  it('a segment cut by kill -9 decodes up to its last complete frame, and a restart lists it so', async () => {
    const dir = folder();
    const first = await gateway(['--save', dir]);
    await until(
      '60 frames written',
      async () => (await recording(first.url)).cameras.cam0!.frames >= 60,
      20_000,
    );
    const file = (await recording(first.url)).cameras.cam0!.file!;
    expect(await first.run.stop('SIGKILL')).toMatchObject({ code: null });
    const path = join(dir, file);
    const info = await probeStream(path);
    expect(info.tags.NUMBER_OF_FRAMES).toBeUndefined(); // never finished
    const packets = await probePackets(path);
    expect(packets.length).toBeGreaterThanOrEqual(60);
    const decoded = await decodeAll(path);
    expect(decoded.code, decoded.stderr).toBe(0);
    expect(decoded.frames).toBe(packets.length);

    const again = await gateway(['--save', dir]);
    const listed = (await (await fetch(`${again.url}/recordings`)).json()) as {
      cameras: Record<string, { segments: { path: string; frames: number }[] }>;
    };
    expect(listed.cameras.cam0!.segments.find((s) => s.path === file)?.frames).toBe(packets.length);
  }, 60_000);
});

it('a folder that cannot be used is one line and exit code 1', async () => {
  const dir = folder();
  writeFileSync(join(dir, 'file'), '');
  const run = startCli(['--demo', '--listen', '127.0.0.1:0', '--save', join(dir, 'file', 'rec')], {}, 'node');
  runs.push(run);
  expect(await run.exited).toBe(1);
  expect(run.stderr.trim()).toBe(
    `cam-gateway: cannot record into ${join(dir, 'file', 'rec')}: it (or a folder on its path) is a file`,
  );
});

it('--min-free above the real free space pauses recording with one warning', async () => {
  const dir = folder();
  const { run, url } = await gateway(['--save', join(dir, 'rec'), '--min-free', '100%']);
  await until(
    '30 frames skipped',
    async () => (await recording(url)).cameras.cam0!.skippedWhilePaused >= 30,
    20_000,
  );
  expect((await recording(url)).state).toBe('paused');
  expect(run.stderr.match(/recording paused/g)).toHaveLength(1);
  expect(run.stderr).toMatch(
    /^warn: recording: recording paused: .* free on .*, below the .* to keep free \(--min-free\)/m,
  );
  expect(existsSync(join(dir, 'rec', 'cam0'))).toBe(false);
});
