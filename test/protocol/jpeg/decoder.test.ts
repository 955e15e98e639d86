import { describe, expect, it } from 'vitest';
import type { StreamSidecar } from '../../../scripts/make-stream-fixtures.js';
import { JpegStreamDecoder } from '../../../src/protocol/jpeg/decoder.js';
import { JpegWalker } from '../../../src/protocol/jpeg/walker.js';
import type { DecoderOptions, DecoderStats, DeviceEvent } from '../../../src/protocol/types.js';
import {
  CHUNK_SIZES,
  digests,
  ESP32_BOOT_LOG,
  feedInChunks,
  fixture,
  fixtureJpegs,
  framesOf,
  summarize,
} from '../helpers.js';

const jpegs = fixtureJpegs();
const byName = (n: string) => jpegs.find((j) => j.name === n)!.bytes;
const q = fixtureJpegs(/^qvga-00[1-8]/).map((j) => j.bytes);

/** Decode in every chunk size; assert all give the same events and stats; return the whole-stream result. */
function decodeEverywhere(bytes: Buffer, options: DecoderOptions = {}) {
  let ref: { events: object[]; stats: DecoderStats; frames: string[]; d: JpegStreamDecoder } | undefined;
  for (const size of CHUNK_SIZES) {
    const d = new JpegStreamDecoder(options);
    const events: DeviceEvent[] = feedInChunks(d, bytes, size);
    const got = { events: summarize(events), stats: { ...d.stats }, frames: digests(framesOf(events)), d };
    expect(d.bufferedBytes).toBe(0);
    if (ref) {
      expect({ size, events: got.events, stats: got.stats }).toEqual({
        size,
        events: ref.events,
        stats: ref.stats,
      });
    }
    ref ??= got;
  }
  return ref!;
}

const latin1 = (s: string) => Buffer.from(s, 'latin1');

describe('JpegStreamDecoder', () => {
  it('emits every fixture JPEG byte-exact from a stream with a boot log and debug prints between', () => {
    const parts: Buffer[] = [latin1(ESP32_BOOT_LOG)];
    for (const [i, j] of jpegs.entries()) {
      parts.push(j.bytes, latin1(`I (${1000 + i}) cam: frame ${i} len=${j.bytes.length}\r\n`));
    }
    const bytes = Buffer.concat(parts);
    const r = decodeEverywhere(bytes);
    expect(r.frames).toEqual(digests(jpegs.map((j) => j.bytes)));
    const junk = bytes.length - jpegs.reduce((n, j) => n + j.bytes.length, 0);
    expect(r.stats).toMatchObject({ frames: jpegs.length, bytesSkipped: junk, resyncs: 0, truncated: 0 });
  });

  it('does not let a frame cut short in its entropy data swallow the next one', () => {
    const bytes = Buffer.concat([q[0]!, q[1]!.subarray(0, 4000), q[2]!, q[3]!]);
    const r = decodeEverywhere(bytes);
    expect(r.frames).toEqual(digests([q[0]!, q[2]!, q[3]!]));
    expect(r.stats).toMatchObject({ truncated: 1, frames: 3, bytesSkipped: 4000 });
  });

  it('recovers when the device restarts inside a segment (the cut APP1 swallows the next frame for a while)', () => {
    const exif = byName('exif-thumb.jpg');
    const bytes = Buffer.concat([
      exif.subarray(0, 300),
      q[0]!,
      latin1('\r\nrst:0x1\r\n'),
      q[1]!,
      q[2]!,
      q[3]!,
    ]);
    const r = decodeEverywhere(bytes);
    const frames = r.frames;
    // The cut frame never comes out, nor does anything from inside it; the frames after it do.
    expect(frames.slice(-3)).toEqual(digests([q[1]!, q[2]!, q[3]!]));
    expect(frames).not.toContain(digests([exif])[0]);
    for (const f of framesOf(feedInChunks(new JpegStreamDecoder(), bytes, 64))) {
      const w = new JpegWalker();
      expect(w.feed(f, 0, f.length)).toEqual({ kind: 'done', end: f.length });
    }
  });

  it('backs off after a false SOI in junk and finds the real frame it covered', () => {
    const fake = Buffer.concat([
      latin1('dbg: '),
      Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x7f, 0x12]),
      latin1('garbage\r\n'),
    ]);
    const bytes = Buffer.concat([fake, q[0]!, latin1('x\xff\xd8y\xff'), q[1]!, fake, q[2]!]);
    const r = decodeEverywhere(bytes);
    expect(r.frames).toEqual(digests([q[0]!, q[1]!, q[2]!]));
    expect(r.stats.resyncs).toBe(2);
    expect(r.stats.truncated).toBe(0);
  });

  it('recovers the frames a fake header (SOI, comment with a long length) swallowed once that length runs out', () => {
    const fake = Buffer.from([0xff, 0xd8, 0xff, 0xfe, 0x7f, 0x12, 0x20, 0x20]);
    const all = fixtureJpegs(/^qvga/).map((j) => j.bytes);
    const bytes = Buffer.concat([fake, ...all]);
    const r = decodeEverywhere(bytes);
    expect(r.frames).toEqual(digests(all));
    // Live, not only at end of stream: the frames come out as soon as the fake fails.
    const d = new JpegStreamDecoder();
    const live = framesOf(feedInChunks(d, bytes, 1024, { end: false }));
    expect(digests(live)).toEqual(digests(all));
    expect(d.stats.truncated).toBe(0);
  });

  it('emits the whole frame despite FF D9 in its DQT and COM, and the EXIF thumbnail stays inside', () => {
    const bytes = Buffer.concat([
      byName('dqt-ffd9.jpg'),
      byName('exif-thumb.jpg'),
      byName('progressive.jpg'),
    ]);
    const r = decodeEverywhere(bytes);
    expect(r.frames).toEqual(
      digests([byName('dqt-ffd9.jpg'), byName('exif-thumb.jpg'), byName('progressive.jpg')]),
    );
    expect(r.stats.bytesSkipped).toBe(0);
  });

  it('drops frames larger than maxFrameBytes, keeps the rest, and holds at most maxFrameBytes', () => {
    const vga = fixtureJpegs(/^vga-00[12]/).map((j) => j.bytes);
    const bytes = Buffer.concat([q[0]!, vga[0]!, q[1]!, vga[1]!.subarray(0, 12_000), q[2]!, vga[1]!]);
    const r = decodeEverywhere(bytes, { maxFrameBytes: 8000 });
    expect(r.frames).toEqual(digests([q[0]!, q[1]!, q[2]!]));
    expect(r.stats).toMatchObject({ oversized: 3, frames: 3 });
    const d = new JpegStreamDecoder({ maxFrameBytes: 8000 });
    let peak = 0;
    for (let i = 0; i < bytes.length; i += 512) {
      d.push(bytes.subarray(i, i + 512));
      peak = Math.max(peak, d.bufferedBytes);
    }
    expect(peak).toBeLessThanOrEqual(8000);
  });

  it('rejects a frame whose segment length lies and recovers the next', () => {
    const liar = Buffer.from(q[1]!);
    const dqt = liar.indexOf(Buffer.from([0xff, 0xdb]));
    liar.writeUInt16BE(liar.readUInt16BE(dqt + 2) + 3, dqt + 2);
    const bytes = Buffer.concat([q[0]!, liar, q[2]!]);
    const r = decodeEverywhere(bytes);
    expect(r.frames).toEqual(digests([q[0]!, q[2]!]));
    expect(r.stats.resyncs).toBeGreaterThanOrEqual(1);
  });

  /** q[0] whose comment's length lies so that the segment ends at `offset` of the JPEG after it. */
  function liarInto(offset: number): Buffer {
    const liar = Buffer.from(q[0]!);
    const com = liar.indexOf(Buffer.from([0xff, 0xfe]));
    liar.writeUInt16BE(liar.length + offset - com - 2, com + 2);
    return liar;
  }

  it('never glues the head of a frame whose length lies onto the next frame it led into', () => {
    const next = q[1]!;
    const bytes = Buffer.concat([liarInto(next.indexOf(Buffer.from([0xff, 0xdb]))), next, q[2]!]);
    const r = decodeEverywhere(bytes);
    expect(r.frames).toEqual(digests([next, q[2]!]));
    expect(r.stats.frames).toBe(2);
  });

  it('emits the next frame, not its EXIF thumbnail, when a lying length led into that thumbnail', () => {
    const exif = byName('exif-thumb.jpg');
    const thumbAt = exif.indexOf(Buffer.from([0xff, 0xd8, 0xff]), 2);
    const bytes = Buffer.concat([liarInto(thumbAt), exif, q[2]!]);
    const r = decodeEverywhere(bytes);
    expect(r.frames).toEqual(digests([exif, q[2]!]));
  });

  it('counts a frame cut by the end of the stream as truncated and emits nothing for it', () => {
    const r = decodeEverywhere(Buffer.concat([q[0]!, q[1]!.subarray(0, 3000)]));
    expect(r.frames).toEqual(digests([q[0]!]));
    expect(r.stats).toMatchObject({ truncated: 1, bytesSkipped: 3000 });
  });

  it('skips bytes that are not JPEG at all', () => {
    const noise = Buffer.alloc(5000);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 131 + 7) & 0xff;
    const r = decodeEverywhere(Buffer.concat([noise, latin1('\xff\xd8\xff')]));
    expect(r.frames).toEqual([]);
    expect(r.stats.bytesSkipped).toBe(5003);
  });

  it('accepts plain Uint8Array chunks (not Buffers) at any offset', () => {
    const bytes = Buffer.concat([q[0]!, q[1]!]);
    const ab = new Uint8Array(bytes.length + 3);
    ab.set(bytes, 3);
    const d = new JpegStreamDecoder();
    const events = [...d.push(ab.subarray(3, 5000)), ...d.push(ab.subarray(5000)), ...d.end()];
    expect(digests(framesOf(events))).toEqual(digests([q[0]!, q[1]!]));
  });

  it('validates its options', () => {
    expect(() => new JpegStreamDecoder({ maxFrameBytes: 1.5 })).toThrow(/"maxFrameBytes"/);
  });
});

describe('bare JPEG stream fixture', () => {
  it('jpeg-bootlog.bin: exactly the frames and counters its sidecar lists, in every chunking', () => {
    const sidecar = JSON.parse(fixture('streams/jpeg-bootlog.json').toString()) as StreamSidecar;
    const r = decodeEverywhere(fixture('streams/jpeg-bootlog.bin'));
    expect(r.frames).toEqual(sidecar.frames.map((f) => `sha1:${f.sha1}/${f.bytes}`));
    for (const [k, v] of Object.entries(sidecar.stats)) expect(r.stats[k as keyof DecoderStats]).toBe(v);
  });
});
