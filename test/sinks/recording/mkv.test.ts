/**
 * The Matroska writer against the real ffprobe/ffmpeg: MJPEG as-is, each
 * frame at its own time, a file cut anywhere readable up to its last complete
 * frame; and our own reader agreeing with what was written.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assemble, type MkvOutput, MkvWriter } from '../../../src/sinks/recording/mkv.js';
import { MkvBlockScanner, readMkvHead } from '../../../src/sinks/recording/mkv-read.js';
import { fixtureFrames } from '../../helpers/fake-camera.js';
import { copyPackets, decodeAll, probePackets, probeStream } from '../../helpers/media.js';
import { describeWithTools } from '../../helpers/tools.js';

const frames = fixtureFrames('qvga');
const START = 1_764_000_000.123456;
const dir = mkdtempSync(join(tmpdir(), 'mkv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `n` frames at an uneven rate (as a serial camera sends them), and their times. */
function uneven(n: number): { times: number[]; jpegs: Buffer[] } {
  const times: number[] = [];
  const jpegs: Buffer[] = [];
  let t = START;
  for (let i = 0; i < n; i++) {
    times.push(t);
    jpegs.push(frames[i % frames.length]!);
    t += 0.011 + ((i * 7919) % 97) / 1000 + i * 3.7e-6; // 11 … 108 ms apart, never a round number
  }
  return { times, jpegs };
}

function write(times: number[], jpegs: Buffer[]): { out: MkvOutput; file: Buffer; writer: MkvWriter } {
  const out: MkvOutput = { append: [], patches: [] };
  const writer = new MkvWriter({ start: times[0]!, width: 320, height: 240 }, out);
  for (let i = 0; i < times.length; i++) writer.add(jpegs[i]!, times[i]!, out);
  writer.finish(out);
  return { out, file: assemble(out), writer };
}

describe('Matroska reader', () => {
  it('reads a finished file’s start, span and frame count from its first bytes', () => {
    const { times, jpegs } = uneven(50);
    const { file, writer } = write(times, jpegs);
    const head = readMkvHead(file.subarray(0, 4096))!;
    expect(head.frames).toBe(50);
    expect(head.start).toBeCloseTo(START, 6);
    expect(head.start + head.duration!).toBeCloseTo(writer.summary().end, 4);
  });

  it('walks a file cut at any byte up to its last complete frame, whatever the chunking', () => {
    const { times, jpegs } = uneven(12);
    const { out } = write(times, jpegs);
    const live = Buffer.concat(out.append); // as on disk before finish(): no patches
    const head = readMkvHead(live)!;
    expect(head.frames).toBeUndefined();
    // Where each frame's last byte is, found independently: the JPEG bytes themselves.
    const ends: number[] = [];
    let from = 0;
    for (const jpeg of jpegs) {
      const at = live.indexOf(jpeg, from);
      ends.push(at + jpeg.length);
      from = at + jpeg.length;
    }
    for (const cut of [head.firstCluster, ends[0]! - 1, ends[0]!, ends[5]! + 3, ends[11]! - 1, live.length]) {
      const complete = ends.filter((e) => e <= cut).length;
      for (const chunk of [1, 7, 4096, cut]) {
        const scanner = new MkvBlockScanner(head);
        for (let i = head.firstCluster; i < cut; i += chunk)
          scanner.push(live.subarray(i, Math.min(cut, i + chunk)));
        const summary = scanner.summary();
        expect(summary.frames, `cut at ${cut}, chunks of ${chunk}`).toBe(complete);
        expect(summary.frameBytes).toBe(jpegs.slice(0, complete).reduce((n, j) => n + j.length, 0));
      }
    }
  });
});

describeWithTools(['ffprobe', 'ffmpeg'], 'Matroska writer, read by ffprobe and ffmpeg', () => {
  it('stores MJPEG as-is, each frame at its own time (within 0.1 ms), with the start as creation_time', async () => {
    const { times, jpegs } = uneven(120);
    const path = join(dir, 'uneven.mkv');
    writeFileSync(path, write(times, jpegs).file);
    const stream = await probeStream(path);
    expect(stream).toMatchObject({ codec: 'mjpeg', width: 320, height: 240 });
    expect(stream.tags.NUMBER_OF_FRAMES).toBe('120');
    expect(stream.created).toBeCloseTo(START, 5);
    const packets = await probePackets(path);
    expect(packets).toHaveLength(120);
    for (let i = 0; i < 120; i++) {
      expect(Math.abs(packets[i]!.pts - (times[i]! - START))).toBeLessThan(0.0001);
      expect(packets[i]!.size).toBe(jpegs[i]!.length);
    }
    expect((await copyPackets(path)).equals(Buffer.concat(jpegs))).toBe(true);
    const decoded = await decodeAll(path);
    expect(decoded.code, decoded.stderr).toBe(0);
    expect(decoded.frames).toBe(120);
    expect(decoded.stderr).not.toMatch(/error|invalid|corrupt|non monoton/i);
  });

  it('a file cut mid-frame (never finished) decodes up to its last complete frame', async () => {
    const { times, jpegs } = uneven(60);
    const { out } = write(times, jpegs);
    const live = Buffer.concat(out.append);
    const whole = join(dir, 'live.mkv');
    writeFileSync(whole, live);
    const packets = await probePackets(whole);
    expect(packets).toHaveLength(60);
    const cutAt = packets[40]!.pos + Math.floor(packets[40]!.size / 2); // in the middle of frame 40
    const cut = join(dir, 'cut.mkv');
    writeFileSync(cut, live.subarray(0, cutAt));
    const decoded = await decodeAll(cut);
    expect(decoded.code, decoded.stderr).toBe(0);
    expect(decoded.frames).toBe(40);
    expect((await copyPackets(cut)).equals(Buffer.concat(jpegs.slice(0, 40)))).toBe(true);
  });

  it('two frames in the same 0.1 ms get distinct, increasing times', async () => {
    const times = [START, START + 0.00001, START + 0.00002, START + 0.05];
    const path = join(dir, 'same.mkv');
    writeFileSync(path, write(times, frames.slice(0, 4)).file);
    const pts = (await probePackets(path)).map((p) => p.pts);
    expect(pts).toEqual([0, 0.0001, 0.0002, 0.05]);
    const decoded = await decodeAll(path);
    expect(decoded.stderr).not.toMatch(/non monoton/i);
  });
});
