import { describe, expect, it } from 'vitest';
import { buildStreamFixtures, type StreamSidecar } from '../../../scripts/make-stream-fixtures.js';
import { crc32 } from '../../../src/protocol/camf/crc32.js';
import { CAMF_MAX_TEXT_BYTES, CamfCommandDecoder, CamfDecoder } from '../../../src/protocol/camf/decoder.js';
import {
  CAMF_HEADER_BYTES,
  CAMF_MAGIC,
  CAMF_OVERHEAD_BYTES,
  CamfEncoder,
  CamfType,
  encodeCamfFrame,
} from '../../../src/protocol/camf/frame.js';
import type { DeviceEvent } from '../../../src/protocol/types.js';
import { tinyJpeg } from '../fuzz-mutate.js';
import {
  CHUNK_SIZES,
  digests,
  ESP32_BOOT_LOG,
  feedInChunks,
  fixture,
  fixtureJpegs,
  framesOf,
  mulberry32,
  sha1,
  summarize,
} from '../helpers.js';

const jpegs = fixtureJpegs();
const small = fixtureJpegs(/^qvga-00[1-6]/).map((f) => f.bytes);

function decodeAll(bytes: Uint8Array, size: number, maxFrameBytes?: number) {
  const d = new CamfDecoder(maxFrameBytes ? { maxFrameBytes } : {});
  const events = feedInChunks(d, bytes, size);
  return { d, events, frames: digests(framesOf(events)) };
}

/** Encode `payloads` as consecutive JPEG frames; returns the stream and each frame's [start, end). */
function stream(payloads: Buffer[], startSeq = 0) {
  const enc = new CamfEncoder({ startSeq, clockUs: () => 0 });
  const parts = payloads.map((p, i) => enc.jpeg(p, 1000 * i));
  const spans: [number, number][] = [];
  let at = 0;
  for (const p of parts) {
    spans.push([at, at + p.length]);
    at += p.length;
  }
  return { bytes: Buffer.concat(parts), spans };
}

describe('CAMF encoder', () => {
  it('encodes the worked example of firmware-protocol.md byte for byte', () => {
    const f = encodeCamfFrame({ type: CamfType.Log, payload: 'boot ok', seq: 1, timestampUs: 1_000_000 });
    expect(f.toString('hex')).toBe(
      '43414d46010200000100000040420f000000000007000000a508c214626f6f74206f6b32619087',
    );
    expect(f.length).toBe(7 + CAMF_OVERHEAD_BYTES);
  });

  it('numbers every frame of any type and wraps at 2^32', () => {
    const enc = new CamfEncoder({ startSeq: 0xffffffff, clockUs: () => 5 });
    const a = enc.log('a');
    const b = enc.command('quality', 12);
    expect(a.readUInt32LE(8)).toBe(0xffffffff);
    expect(b.readUInt32LE(8)).toBe(0);
    expect(b.subarray(CAMF_HEADER_BYTES, b.length - 4).toString()).toBe('quality=12');
    expect(enc.nextSeq).toBe(1);
  });

  it('rejects values that do not fit, naming the field', () => {
    expect(() => encodeCamfFrame({ type: 0x100, payload: '', seq: 0 })).toThrow(/"type"/);
    expect(() => encodeCamfFrame({ type: 1, payload: '', seq: -1 })).toThrow(/"seq"/);
    expect(() => encodeCamfFrame({ type: 1, payload: '', seq: 0, flags: 0x10000 })).toThrow(/"flags"/);
    expect(() => encodeCamfFrame({ type: 1, payload: '', seq: 0, timestampUs: -1 })).toThrow(/"timestampUs"/);
    expect(() => new CamfEncoder({ startSeq: 2 ** 32 })).toThrow(/"startSeq"/);
  });
});

describe('CamfDecoder', () => {
  it('recovers every fixture JPEG byte-exact, with seq and device time, whatever the chunking', () => {
    const enc = new CamfEncoder({ startSeq: 10, clockUs: () => 0 });
    const bytes = Buffer.concat([
      Buffer.from(ESP32_BOOT_LOG, 'latin1'),
      enc.info({ model: 'ESP32-CAM', sensor: 'OV2640' }, 1),
      enc.log('camera init ok', 2),
      ...jpegs.map((j, i) => enc.jpeg(j.bytes, 2 ** 40 + i)),
      enc.reply('ok', 3),
    ]);
    let reference: { events: object[]; stats: unknown } | undefined;
    for (const size of CHUNK_SIZES) {
      const { d, events, frames } = decodeAll(bytes, size);
      expect(frames).toEqual(digests(jpegs.map((j) => j.bytes)));
      expect(events[0]).toEqual({
        type: 'info',
        info: { model: 'ESP32-CAM', sensor: 'OV2640' },
        raw: '{"model":"ESP32-CAM","sensor":"OV2640"}',
      });
      expect(events[1]).toEqual({ type: 'log', text: 'camera init ok' });
      expect(events[2]).toMatchObject({ type: 'frame', seq: 12, deviceTimeUs: 2 ** 40 });
      expect(events.at(-1)).toEqual({ type: 'reply', text: 'ok' });
      expect(d.stats).toMatchObject({
        bytesIn: bytes.length,
        bytesSkipped: ESP32_BOOT_LOG.length,
        frames: jpegs.length,
        crcErrors: 0,
        deviceDrops: 0,
      });
      expect(d.bufferedBytes).toBe(0);
      reference ??= { events: summarize(events), stats: { ...d.stats } };
      expect(summarize(events)).toEqual(reference.events);
      expect(d.stats).toEqual(reference.stats);
    }
  });

  it('loses only the frame whose header byte is corrupted', () => {
    const { bytes, spans } = stream(small);
    const bad = Buffer.from(bytes);
    bad[spans[2]![0] + 9]! ^= 0x40; // seq byte: header CRC fails
    for (const size of CHUNK_SIZES) {
      const { d, frames } = decodeAll(bad, size);
      expect(frames).toEqual(digests(small.filter((_, i) => i !== 2)));
      expect(d.stats.crcErrors).toBe(1);
      expect(d.stats.deviceDrops).toBe(1);
    }
  });

  it('loses only the frame whose payload is corrupted', () => {
    const { bytes, spans } = stream(small);
    const bad = Buffer.from(bytes);
    bad[spans[1]![0] + 500]! ^= 0x01;
    for (const size of CHUNK_SIZES) {
      const { d, frames } = decodeAll(bad, size);
      expect(frames).toEqual(digests(small.filter((_, i) => i !== 1)));
      expect(d.stats).toMatchObject({ crcErrors: 1, resyncs: 1, deviceDrops: 1, frames: 5 });
    }
  });

  it('recovers frame k+1 when bytes were lost inside frame k (its length now covers k+1)', () => {
    const { bytes, spans } = stream(small);
    const [s, e] = spans[2]!;
    // Drop 3000 bytes of frame 2's payload: its declared end lies deep inside frame 3.
    const bad = Buffer.concat([bytes.subarray(0, s + 100), bytes.subarray(s + 3100)]);
    expect(e - 3000).toBeLessThan(spans[3]![1]);
    for (const size of CHUNK_SIZES) {
      const { d, frames } = decodeAll(bad, size);
      expect(frames).toEqual(digests(small.filter((_, i) => i !== 2)));
      expect(d.stats.crcErrors).toBe(1);
      expect(d.stats.truncated).toBe(0);
    }
  });

  it('one byte lost where a frame ends in "C" and the next begins with its magic: the first is served whole, the second lost, the rest recovered', () => {
    // The same bytes arrive whether the first frame lost its last byte or the second its "C"
    // (npm run fuzz, FUZZ_SEED=1 case 863954): the first frame's payload CRC checks, so it is the
    // second that is lost, and nothing corrupt comes out.
    const r = mulberry32(1);
    let first = tinyJpeg(r, 300);
    while (crc32(first) >>> 24 !== 0x43) first = tinyJpeg(r, 300);
    const payloads = [first, small[0]!, small[1]!];
    const { bytes, spans } = stream(payloads);
    expect(bytes[spans[0]![1] - 1]).toBe(CAMF_MAGIC[0]);
    const bad = Buffer.concat([bytes.subarray(0, spans[1]![0]), bytes.subarray(spans[1]![0] + 1)]);
    for (const size of CHUNK_SIZES) {
      const { d, frames } = decodeAll(bad, size);
      expect(frames).toEqual(digests([payloads[0]!, payloads[2]!]));
      expect(d.stats).toMatchObject({ crcErrors: 0, deviceDrops: 1 });
    }
  });

  it('recovers whole frames hidden inside a frame cut short and counts that one truncated', () => {
    const enc = new CamfEncoder({ clockUs: () => 0 });
    const big = enc.jpeg(small[0]!);
    const tail = [enc.log('one'), enc.log('two')];
    const bad = Buffer.concat([big.subarray(0, big.length - 200), ...tail]);
    for (const size of CHUNK_SIZES) {
      const d = new CamfDecoder();
      // Found inside the cut frame's claimed bytes as they arrive, or at the latest at the end.
      expect(feedInChunks(d, bad, size)).toEqual([
        { type: 'log', text: 'one' },
        { type: 'log', text: 'two' },
      ]);
      expect(d.stats.truncated).toBe(1);
      expect(d.stats.crcErrors).toBe(0);
      expect(d.bufferedBytes).toBe(0);
    }
  });

  it('a header with a valid CRC whose length lies (4 MiB) holds no frame back: the frames inside it come out as they arrive', () => {
    const enc = new CamfEncoder({ clockUs: () => 0 });
    const liar = enc.jpeg(small[0]!).subarray(0, 28 + 100);
    liar.writeUInt32LE(4 * 1024 * 1024, 20);
    liar.writeUInt32LE(crc32(liar, 0, 24), 24);
    const frames = small.slice(0, 6).map((j) => enc.jpeg(j));
    const stream = Buffer.concat([liar, ...frames]);
    const d = new CamfDecoder();
    // For each frame that came out: how many bytes after its own end it did (the claim is searched every 4 KiB).
    const late: number[] = [];
    const got: number[] = [];
    for (let i = 0; i < stream.length; i += 64) {
      for (const e of d.push(stream.subarray(i, i + 64))) {
        if (e.type !== 'frame') continue;
        const k = small.findIndex((j) => j.equals(e.jpeg));
        got.push(k);
        const end = liar.length + frames.slice(0, k + 1).reduce((n, f) => n + f.length, 0);
        late.push(Math.min(stream.length, i + 64) - end);
      }
    }
    expect(d.end()).toEqual([]);
    expect(got).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Math.max(...late)).toBeLessThan(4096 + 64);
    expect(d.stats).toMatchObject({ frames: 6, truncated: 1, crcErrors: 0 });
  });

  it('refuses a log, info or reply header over 64 KiB at once (oversized), whatever --max-frame-bytes allows', () => {
    const enc = new CamfEncoder({ clockUs: () => 0 });
    const huge = enc.log('x'.repeat(CAMF_MAX_TEXT_BYTES + 1));
    const ok = enc.log('y'.repeat(CAMF_MAX_TEXT_BYTES));
    const d = new CamfDecoder();
    const events = d.push(Buffer.concat([huge, ok, enc.jpeg(small[0]!)]));
    expect(events.map((e) => e.type)).toEqual(['log', 'frame']);
    expect(d.stats.oversized).toBe(1);
  });

  it('counts seq gaps as device drops and a seq going backwards as a restart', () => {
    const a = new CamfEncoder({ startSeq: 5, clockUs: () => 0 });
    const parts = [a.log('a'), a.log('b')];
    a.log('lost 1');
    a.log('lost 2');
    a.log('lost 3');
    parts.push(a.jpeg(small[0]!));
    const rebooted = new CamfEncoder({ clockUs: () => 0 });
    parts.push(rebooted.info({ model: 'x' }), rebooted.jpeg(small[1]!));
    for (const size of CHUNK_SIZES) {
      const { d, events } = decodeAll(Buffer.concat(parts), size);
      expect(events.map((e) => e.type)).toEqual(['log', 'log', 'frame', 'restart', 'info', 'frame']);
      expect(d.stats).toMatchObject({ deviceDrops: 3, deviceRestarts: 1, frames: 2 });
    }
  });

  it('treats seq wrapping from 2^32-1 to 0 as the next frame, not a restart', () => {
    const enc = new CamfEncoder({ startSeq: 0xfffffffe, clockUs: () => 0 });
    const { d } = decodeAll(Buffer.concat([enc.log('a'), enc.log('b'), enc.log('c')]), 64);
    expect(d.stats).toMatchObject({ deviceDrops: 0, deviceRestarts: 0 });
  });

  it('skips unknown types and echoed commands by length, still checking their CRCs', () => {
    const enc = new CamfEncoder({ clockUs: () => 0 });
    const unknown = enc.frame(0x7e, Buffer.alloc(300, 0x43)); // full of 'C's
    const corruptUnknown = enc.frame(0x7f, 'CAMF inside');
    corruptUnknown[CAMF_HEADER_BYTES + 2]! ^= 1;
    const host = new CamfEncoder({ clockUs: () => 0 });
    const bytes = Buffer.concat([unknown, host.command('stream', 1), corruptUnknown, enc.jpeg(small[0]!)]);
    for (const size of CHUNK_SIZES) {
      const { d, events } = decodeAll(bytes, size);
      expect(digests(framesOf(events))).toEqual(digests([small[0]!]));
      expect(events).toHaveLength(1);
      expect(d.unknownTypes).toBe(1);
      expect(d.stats.crcErrors).toBe(1);
      expect(d.stats.deviceDrops).toBe(1); // the corrupted frame
    }
  });

  it('discards frames longer than maxFrameBytes and keeps memory bounded', () => {
    const enc = new CamfEncoder({ clockUs: () => 0 });
    const huge = enc.jpeg(Buffer.concat([small[0]!, Buffer.alloc(20_000)]));
    const bytes = Buffer.concat([enc.jpeg(small[0]!), huge, enc.jpeg(small[1]!)]);
    for (const size of CHUNK_SIZES) {
      const d = new CamfDecoder({ maxFrameBytes: 10_000 });
      let peak = 0;
      const events: DeviceEvent[] = [];
      const step = Number.isFinite(size) ? size : bytes.length;
      for (let i = 0; i < bytes.length; i += step) {
        events.push(...d.push(bytes.subarray(i, i + step)));
        peak = Math.max(peak, d.bufferedBytes);
      }
      expect(digests(framesOf(events))).toEqual(digests([small[0]!, small[1]!]));
      expect(d.stats.oversized).toBe(1);
      expect(peak).toBeLessThanOrEqual(10_000 + CAMF_OVERHEAD_BYTES);
    }
  });

  it('turns bad info JSON into a log line instead of throwing', () => {
    const enc = new CamfEncoder({ clockUs: () => 0 });
    const bytes = Buffer.concat([
      enc.info('{"model":'),
      enc.info('[1,2]'),
      enc.jpeg(Buffer.from('not a jpeg')),
    ]);
    const { d, events } = decodeAll(bytes, 7);
    expect(events).toHaveLength(3);
    expect(events.every((e) => e.type === 'log')).toBe(true);
    expect(events[0]).toMatchObject({ text: expect.stringMatching(/info is not a JSON object/) });
    expect(d.badPayloads).toBe(3);
    expect(d.stats.frames).toBe(0);
  });

  it('skips junk that looks like a header (magic, a version, garbage) and counts it', () => {
    const enc = new CamfEncoder({ clockUs: () => 0 });
    const fake = Buffer.concat([CAMF_MAGIC, Buffer.from([1, 1, 0, 0]), Buffer.alloc(40, 0xff)]);
    const bytes = Buffer.concat([
      Buffer.from('CAM'),
      fake,
      Buffer.from('CA'),
      enc.jpeg(small[0]!),
      Buffer.from('C'),
    ]);
    for (const size of CHUNK_SIZES) {
      const { d, frames } = decodeAll(bytes, size);
      expect(frames).toEqual(digests([small[0]!]));
      expect(d.stats.bytesSkipped).toBe(3 + fake.length + 2 + 1);
      expect(d.stats.crcErrors).toBe(1);
    }
  });

  it('accepts plain Uint8Array chunks (not Buffers) at any offset', () => {
    const { bytes } = stream(small.slice(0, 2));
    const ab = new Uint8Array(bytes.length + 5);
    ab.set(bytes, 5);
    const d = new CamfDecoder();
    const events = [...d.push(ab.subarray(5, 1005)), ...d.push(ab.subarray(1005)), ...d.end()];
    expect(digests(framesOf(events))).toEqual(digests(small.slice(0, 2)));
  });

  it('validates its options', () => {
    expect(() => new CamfDecoder({ maxFrameBytes: 0 })).toThrow(/"maxFrameBytes"/);
  });
});

describe('CamfCommandDecoder', () => {
  it('decodes host commands and ignores device frames', () => {
    const host = new CamfEncoder({ clockUs: () => 0 });
    const device = new CamfEncoder({ clockUs: () => 0 });
    const bytes = Buffer.concat([
      host.command('framesize', 'VGA'),
      device.log('echo'),
      host.command('snapshot'),
    ]);
    for (const size of CHUNK_SIZES) {
      const d = new CamfCommandDecoder();
      const events = feedInChunks(d, bytes, size);
      expect(events).toEqual([
        { type: 'command', text: 'framesize=VGA', name: 'framesize', value: 'VGA', seq: 0, timestampUs: 0 },
        { type: 'command', text: 'snapshot', name: 'snapshot', seq: 1, timestampUs: 0 },
      ]);
      expect(d.stats.deviceDrops).toBe(0);
    }
  });
});

describe('CAMF stream fixtures', () => {
  const qvga = fixtureJpegs(/^qvga-/).map((j) => j.bytes);

  it('camf-qvga.bin: boot log skipped, info, log, the 24 QVGA frames in order', () => {
    const bytes = fixture('streams/camf-qvga.bin');
    for (const size of [7, 4096, Number.POSITIVE_INFINITY]) {
      const { d, events, frames } = decodeAll(bytes, size);
      expect(frames).toEqual(digests(qvga));
      expect(events[0]).toMatchObject({ type: 'info', info: { model: 'ESP32-CAM', framesize: 'QVGA' } });
      expect(events[1]).toMatchObject({ type: 'log' });
      expect(d.stats).toMatchObject({ crcErrors: 0, deviceDrops: 0, frames: 24 });
      expect(d.stats.bytesSkipped).toBe(bytes.indexOf(CAMF_MAGIC));
    }
  });

  it('camf-vga-noise.bin: exactly the frames its sidecar lists, with their seqs and counters', () => {
    const bytes = fixture('streams/camf-vga-noise.bin');
    const sidecar = JSON.parse(fixture('streams/camf-vga-noise.json').toString()) as StreamSidecar;
    for (const size of CHUNK_SIZES) {
      const { d, events } = decodeAll(bytes, size);
      const frames = events.filter((e) => e.type === 'frame');
      expect(frames.map((f) => [sha1(f.jpeg), f.seq])).toEqual(sidecar.frames.map((f) => [f.sha1, f.seq]));
      for (const [k, v] of Object.entries(sidecar.stats)) expect(d.stats[k as keyof typeof d.stats]).toBe(v);
      expect(events.at(-1)).toEqual({ type: 'log', text: 'stream stopped' });
    }
  });

  it('demo.camf: a demo info frame, a log line and the 24 QVGA frames 100 ms apart', () => {
    const { events, frames } = decodeAll(fixture('streams/demo.camf'), 4096);
    expect(events[0]).toMatchObject({ type: 'info', info: { model: 'demo', sensor: 'fixture' } });
    expect(events[1]).toMatchObject({ type: 'log' });
    expect(frames).toEqual(digests(qvga));
    const times = events.flatMap((e) => (e.type === 'frame' ? [e.deviceTimeUs!] : []));
    expect(times.slice(1).map((t, i) => t - times[i]!)).toEqual(Array(23).fill(100_000));
  });

  it('every stream fixture is what scripts/make-stream-fixtures.ts makes today', () => {
    for (const [name, bytes] of Object.entries(buildStreamFixtures())) {
      expect({ name, sha1: sha1(fixture(`streams/${name}`)) }).toEqual({ name, sha1: sha1(bytes) });
    }
  });
});
