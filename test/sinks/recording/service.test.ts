/**
 * The recording service on a real folder, fed frames stamped at any time (so
 * hours of camera time pass in a moment): segments turning over by time, at
 * midnight and by size; retention; pausing for free space; write errors;
 * what a restart finds; and every finished file read back by ffprobe.
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingError } from '../../../src/sinks/recording/errors.js';
import { type MkvOutput, MkvWriter } from '../../../src/sinks/recording/mkv.js';
import { dayName } from '../../../src/sinks/recording/paths.js';
import { RecordingService } from '../../../src/sinks/recording/service.js';
import { fixtureFrames, paddedJpeg } from '../../helpers/fake-camera.js';
import { waitFor } from '../../helpers/http.js';
import { decodeAll, probePackets } from '../../helpers/media.js';
import {
  folderBytes,
  folderFiles,
  localTime,
  RingCamera,
  recordingLogger,
  recordingService,
  tempFolder,
} from '../../helpers/recording.js';
import { describeWithTools } from '../../helpers/tools.js';

const frames = fixtureFrames('qvga');
let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

function folder(): string {
  const f = tempFolder('rec');
  cleanup.push(f.remove);
  return f.dir;
}

async function started(
  rig: ReturnType<typeof recordingService>,
): Promise<ReturnType<typeof recordingService>> {
  await rig.service.start();
  cleanup.push(() => rig.service.stop());
  return rig;
}

/** Wait until the camera's recorder has taken every frame pushed so far. */
async function written(service: RecordingService, camera: string, frameCount: number): Promise<void> {
  await waitFor(() => {
    const s = service.status().cameras[camera]!;
    return s.frames + s.dropped + s.lost + s.skippedWhilePaused >= frameCount;
  }, `${frameCount} frames handled`);
}

describeWithTools(['ffprobe', 'ffmpeg'], 'recording segments', () => {
  it('turns segments over every --segment seconds and at local midnight; ffprobe reads each with its frames at their times', async () => {
    const dir = folder();
    const cam = new RingCamera('door');
    const { service } = await started(recordingService([cam], { dir, segmentSeconds: 2 }));
    const t0 = localTime(2026, 11, 24, 23, 59, 57.5);
    const times: number[] = [];
    for (let i = 0; i < 150; i++) {
      const t = t0 + i / 30 + (i % 3) * 0.0041; // ~30 fps, uneven
      times.push(t);
      cam.push(frames[i % frames.length]!, t);
    }
    await written(service, 'door', 150);
    await service.stop();
    const segments = service.catalog.camera('door').segment;
    // 23:59:57.5 → midnight (2.5 s, cut at 2 s first), then 2 s each.
    expect(segments.map((s) => s.path)).toEqual([
      'door/2026-11-24/235957.mkv',
      'door/2026-11-24/235959.mkv',
      'door/2026-11-25/000000.mkv',
      'door/2026-11-25/000002.mkv',
    ]);
    let seen = 0;
    for (const [k, segment] of segments.entries()) {
      const next = segments[k + 1]?.start ?? Number.POSITIVE_INFINITY;
      const inSpan = times.filter((t) => t >= segment.start && t < next);
      const packets = await probePackets(join(dir, segment.path));
      expect(packets.length, segment.path).toBe(inSpan.length);
      expect(segment.frames).toBe(inSpan.length);
      packets.forEach((p, k) => {
        expect(Math.abs(segment.start + p.pts - inSpan[k]!)).toBeLessThan(0.001);
      });
      expect(statSync(join(dir, segment.path)).size).toBe(segment.bytes);
      seen += packets.length;
    }
    expect(seen).toBe(150);
    expect(service.status().cameras.door).toMatchObject({ frames: 150, segments: 4, dropped: 0, errors: 0 });
  });

  it('drops and counts frames when the queue to the disk is full, never holding more than its bound', async () => {
    const dir = folder();
    const cam = new RingCamera('cam');
    const { service } = await started(recordingService([cam], { dir }));
    const t0 = Date.now() / 1000;
    // 1000 frames inside one turn of the event loop: the writer cannot run in between.
    for (let i = 0; i < 1000; i++) cam.push(frames[i % frames.length]!, t0 + i / 30);
    expect(service.status().cameras.cam!.dropped).toBe(1000 - 256);
    await written(service, 'cam', 1000);
    await service.stop();
    const [segment] = service.catalog.camera('cam').segment;
    expect((await probePackets(join(dir, segment!.path))).length).toBe(256);
  });

  it('a 50 MB --keep holds while 200 MB are written: oldest files go first', async () => {
    const dir = folder();
    const cam = new RingCamera('cam');
    const keep = 50e6;
    const { service } = await started(recordingService([cam], { dir, keep: { bytes: keep } }));
    const big = [0, 1, 2, 3].map((k) => paddedJpeg(frames[k]!, 200_000, k));
    const t0 = Date.now() / 1000 - 3600;
    let pushed = 0;
    let largest = 0;
    const created = new Set<string>();
    while (service.status().cameras.cam!.bytes < 200e6) {
      for (let i = 0; i < 25; i++, pushed++) cam.push(big[pushed % 4]!, t0 + pushed / 30);
      await written(service, 'cam', pushed);
      for (const s of service.catalog.camera('cam').segment) created.add(s.path);
      await waitFor(() => service.status().bytes <= keep, 'retention');
      largest = Math.max(largest, folderBytes(dir));
    }
    expect(service.status().cameras.cam!.dropped).toBe(0);
    expect(largest).toBeLessThanOrEqual(keep);
    const kept = folderFiles(dir);
    const all = [...created].sort();
    // What is left is the newest files, in one run to the end.
    expect(kept).toEqual(all.slice(all.length - kept.length));
    expect(service.status().deleted).toBe(all.length - kept.length);
    await service.stop();
    for (const file of kept) expect((await decodeAll(join(dir, file))).code).toBe(0);
  }, 120_000);
});

describe('recording free space and errors', () => {
  it('--keep by age deletes the files that ended longer ago, and keeps the rest', async () => {
    const dir = folder();
    const cam = new RingCamera('cam');
    const first = await started(recordingService([cam], { dir, segmentSeconds: 60 }));
    const now = Date.now() / 1000;
    for (const t0 of [now - 7200, now - 5400, now - 600]) {
      for (let i = 0; i < 10; i++) cam.push(frames[i]!, t0 + i / 30);
    }
    await written(first.service, 'cam', 30);
    await first.service.stop();
    const paths = first.service.catalog.camera('cam').segment.map((f) => f.path);
    expect(paths).toHaveLength(3);
    const again = await started(recordingService([cam], { dir, keep: { seconds: 3600 } }));
    expect(again.service.catalog.camera('cam').segment.map((f) => f.path)).toEqual([paths[2]]);
    expect(folderFiles(dir)).toEqual([paths[2]]);
    expect(again.service.status().deleted).toBe(2);
  });

  it('pauses below --min-free with one warning, finishes the open file, and resumes when space returns', async () => {
    const dir = folder();
    const cam = new RingCamera('cam');
    const rig = await started(recordingService([cam], { dir, minFree: { bytes: 2e9 } }));
    const { service, lines, probe } = rig;
    let t = Date.now() / 1000;
    const push = (n: number): void => {
      for (let i = 0; i < n; i++) {
        t += 1 / 30;
        cam.push(frames[i % frames.length]!, t);
      }
    };
    push(10);
    await written(service, 'cam', 10);
    expect(service.status().state).toBe('recording');

    probe.set(1e9); // below the 2 GB to keep free
    await service.checkFreeSpace();
    await service.checkFreeSpace();
    push(20);
    await written(service, 'cam', 30);
    await waitFor(() => service.status().cameras.cam!.file === null, 'the open segment to be finished');
    // Free space as probed, less what finishing the open file took since.
    expect(service.status()).toMatchObject({ state: 'paused', disk: { keepFree: 2e9 } });
    expect(service.status().disk.free).toBeGreaterThan(1e9 - 1000);
    expect(service.status().cameras.cam!.skippedWhilePaused).toBe(20);
    push(5);
    await service.checkFreeSpace();
    expect(lines.filter((l) => /recording paused/.test(l))).toHaveLength(1);
    expect(lines.find((l) => /recording paused/.test(l))).toMatch(
      /^warn: recording: recording paused: 1\.0 GB free on .*, below the 2\.0 GB to keep free \(--min-free\)/,
    );

    probe.set(3e9);
    await service.checkFreeSpace();
    expect(service.status().state).toBe('recording');
    expect(lines.filter((l) => /recording resumed/.test(l))).toHaveLength(1);
    push(10);
    await written(service, 'cam', 45);
    expect(service.status().cameras.cam).toMatchObject({ frames: 20, segments: 2, skippedWhilePaused: 25 });
  });

  it('reports a write error at once (status and one log line), keeps going, and records again once it can', async () => {
    const dir = folder();
    const cam = new RingCamera('cam');
    const rig = await started(recordingService([cam], { dir }));
    const { service, lines, clock } = rig;
    const t0 = Date.now() / 1000;
    // The day's folder is taken by a file: no segment can be created.
    mkdirSync(join(dir, 'cam'), { recursive: true });
    writeFileSync(join(dir, 'cam', dayName(t0)), 'in the way');
    for (let i = 0; i < 30; i++) cam.push(frames[0]!, t0 + i / 30);
    await written(service, 'cam', 30);
    const status = service.status();
    expect(status.state).toBe('error');
    expect(status.cameras.cam).toMatchObject({ frames: 0, lost: 30, errors: 1 });
    expect(status.cameras.cam!.error).toMatch(/^cannot create a segment file in .*\/cam: EEXIST|ENOTDIR/);
    expect(status.lastError).toMatchObject({ camera: 'cam' });
    expect(lines.filter((l) => /^error: recording: cam: cannot create/.test(l))).toHaveLength(1);

    rmSync(join(dir, 'cam', dayName(t0)));
    clock.now += 3; // past the retry delay
    for (let i = 30; i < 40; i++) cam.push(frames[0]!, t0 + i / 30);
    await written(service, 'cam', 40);
    expect(service.status().state).toBe('recording');
    expect(service.status().cameras.cam).toMatchObject({ frames: 10, error: null });
    expect(lines.some((l) => /recording to cam\/.* again/.test(l))).toBe(true);
  });

  it('refuses a folder that cannot be used, in one line', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'file'), '');
    const rig = recordingService([new RingCamera('cam')], { dir: join(dir, 'file', 'rec') });
    const failure = await rig.service.start().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(RecordingError);
    expect((failure as RecordingError).kind).toBe('unusable');
    expect((failure as Error).message).toBe(
      `cannot record into ${join(dir, 'file', 'rec')}: it (or a folder on its path) is a file`,
    );
    await rig.service.stop();
  });

  it('on start, lists what an earlier run left: finished files from their head, a cut one up to its last frame', async () => {
    const dir = folder();
    const cam = new RingCamera('cam');
    const first = await started(recordingService([cam], { dir, segmentSeconds: 1 }));
    const t0 = Date.now() / 1000 - 60;
    for (let i = 0; i < 45; i++) cam.push(frames[i % frames.length]!, t0 + i / 30);
    await written(first.service, 'cam', 45);
    await first.service.stop();
    const before = first.service.catalog.camera('cam').segment.map((f) => ({ ...f }));
    // A segment a killed gateway left: never finished, its last frame cut in half.
    const out: MkvOutput = { append: [], patches: [] };
    const t1 = t0 + 10;
    const writer = new MkvWriter({ start: t1, width: 320, height: 240 }, out);
    for (let i = 0; i < 7; i++) writer.add(frames[i]!, t1 + i / 30, out);
    const cut = Buffer.concat(out.append);
    const killed = `cam/${dayName(t1)}/killed.mkv`;
    writeFileSync(join(dir, 'cam', dayName(t1), '235959-9.mkv'), cut.subarray(0, cut.length - 100));
    writeFileSync(join(dir, killed), 'not a name the gateway gives: left alone');

    const { logger } = recordingLogger();
    const again = new RecordingService([cam], { dir, segmentSeconds: 1, minFree: {} }, { logger });
    await again.start();
    cleanup.push(() => again.stop());
    const listed = again.catalog.camera('cam').segment;
    const rounded = (f: (typeof before)[number]) => ({
      ...f,
      start: f.start.toFixed(5),
      end: f.end.toFixed(4),
    });
    expect(listed.slice(0, before.length).map(rounded)).toEqual(before.map(rounded));
    expect(listed.at(-1)).toMatchObject({ path: `cam/${dayName(t1)}/235959-9.mkv`, frames: 6, open: false });
    expect(listed.at(-1)!.start).toBeCloseTo(t1, 5);
    expect(again.catalog.has(killed)).toBe(false);
  });
});
