import { describe, expect, it } from 'vitest';
import { CamfEncoder } from '../../src/protocol/camf/frame.js';
import type { CameraEvent } from '../../src/protocol/detect.js';
import { AutoDecoder, createDecoder } from '../../src/protocol/detect.js';
import type { ProtocolName } from '../../src/protocol/registry.js';
import {
  CHUNK_SIZES,
  digests,
  ESP32_BOOT_LOG,
  feedInChunks,
  fixture,
  fixtureJpegs,
  framesOf,
  summarize,
} from './helpers.js';

const q = fixtureJpegs(/^qvga-00[1-4]/).map((j) => j.bytes);
const boot = Buffer.from(ESP32_BOOT_LOG, 'latin1');

const u16 = (n: number) => Buffer.from([n & 0xff, n >> 8]);
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};

/** Each protocol's bytes for the JPEGs `q`, as the devices send them. */
const wire: Record<ProtocolName, (jpegs: Buffer[]) => Buffer> = {
  camf: (jpegs) => {
    const enc = new CamfEncoder({ clockUs: () => 0 });
    return Buffer.concat([enc.info({ model: 'ESP32-CAM' }), ...jpegs.map((j) => enc.jpeg(j))]);
  },
  jpeg: (jpegs) => Buffer.concat(jpegs.flatMap((j, i) => [j, Buffer.from(`I (${i}) cam: sent\r\n`)])),
  arducam: (jpegs) =>
    Buffer.concat([
      Buffer.from('ACK CMD ArduCAM Start! END\r\nACK CMD OV2640 detected. END\r\n'),
      ...jpegs.flatMap((j) => [Buffer.from('ACK IMG END\r\n'), j]),
    ]),
  openiris: (jpegs) =>
    Buffer.concat(jpegs.flatMap((j) => [Buffer.from([0xff, 0xa0, 0xff, 0xa1]), u16(j.length), j])),
  'arducam-mega': (jpegs) =>
    Buffer.concat(
      jpegs.flatMap((j) => [
        Buffer.from([0xff, 0xaa, 0x01]),
        u32(j.length),
        Buffer.from([0x11]),
        j,
        Buffer.from([0xff, 0xbb]),
      ]),
    ),
};

function detectEverywhere(bytes: Buffer) {
  let ref: { events: object[]; d: AutoDecoder; raw: CameraEvent[] } | undefined;
  for (const size of CHUNK_SIZES) {
    const d = new AutoDecoder();
    const raw = feedInChunks(d, bytes, size);
    const events = summarize(raw);
    if (ref) {
      expect({ size, events, stats: d.stats }).toEqual({ size, events: ref.events, stats: ref.d.stats });
    }
    ref ??= { events, d, raw };
  }
  return ref!;
}

describe('AutoDecoder', () => {
  it.each(Object.keys(wire) as ProtocolName[])(
    'detects %s behind an ESP32 boot log and loses no frame',
    (name) => {
      const bytes = Buffer.concat([boot, wire[name](q)]);
      const { d, raw } = detectEverywhere(bytes);
      expect(raw[0]).toEqual({ type: 'protocol', protocol: name });
      expect(raw.filter((e) => e.type === 'protocol')).toHaveLength(1);
      expect(d.protocol).toBe(name);
      expect(digests(framesOf(raw))).toEqual(digests(q));
      expect(d.stats.bytesIn).toBe(bytes.length);
      expect(d.stats.frames).toBe(q.length);
      expect(d.bufferedBytes).toBe(0);
    },
  );

  it('reports the inner decoder stats plus nothing lost: CAMF skipped bytes are the boot log', () => {
    const { d } = detectEverywhere(Buffer.concat([boot, wire.camf(q)]));
    expect(d.stats.bytesSkipped).toBe(boot.length);
  });

  it.each(['camf', 'openiris', 'arducam', 'arducam-mega'] as const)(
    'is not fooled by a %s stream joined right at a JPEG payload',
    (name) => {
      const full = wire[name](q);
      const bytes = full.subarray(full.indexOf(Buffer.from([0xff, 0xd8, 0xff])));
      expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
      const { d, raw } = detectEverywhere(bytes);
      expect(d.protocol).toBe(name);
      expect(framesOf(raw).length).toBeGreaterThanOrEqual(q.length - 1);
    },
  );

  it('chooses bare JPEG when the junk before it holds a fake CAMF header and a false SOI', () => {
    const junk = Buffer.concat([
      Buffer.from('CAMF\x01\x01 not a header at all, 28 bytes or more.....', 'latin1'),
      Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x7f, 0x12, 0x20, 0x20, 0x20, 0x20, 0x20]),
      Buffer.from('ACK not arducam\r\n\x55\x00\xff\xaa\x42'),
    ]);
    const { d, raw } = detectEverywhere(Buffer.concat([junk, wire.jpeg(q)]));
    expect(d.protocol).toBe('jpeg');
    expect(digests(framesOf(raw))).toEqual(digests(q));
  });

  it('decides at end of stream on a single JPEG and emits it', () => {
    const { d, raw } = detectEverywhere(Buffer.concat([boot, q[0]!]));
    expect(d.protocol).toBe('jpeg');
    expect(digests(framesOf(raw))).toEqual(digests([q[0]!]));
  });

  it('stays undecided on bytes that match nothing, holding no more than its window', () => {
    const noise = Buffer.alloc(20_000);
    for (let i = 0; i < noise.length; i++) noise[i] = 0x20 + ((i * 7) % 90);
    const d = new AutoDecoder({ detectWindowBytes: 4096 });
    let peak = 0;
    for (let i = 0; i < noise.length; i += 1000) {
      expect(d.push(noise.subarray(i, i + 1000))).toEqual([]);
      peak = Math.max(peak, d.bufferedBytes);
    }
    expect(peak).toBeLessThanOrEqual(4096);
    expect(d.protocol).toBe('auto');
    expect(d.end()).toEqual([]);
    expect(d.stats).toMatchObject({ bytesIn: noise.length, bytesSkipped: noise.length });
  });

  it('detects after dropping a window of junk and counts the dropped bytes as skipped', () => {
    const noise = Buffer.alloc(10_000, 0x2e);
    const camf = wire.camf(q);
    const d = new AutoDecoder({ detectWindowBytes: 4096 });
    const events = feedInChunks(d, Buffer.concat([noise, camf]), 512);
    expect(d.protocol).toBe('camf');
    expect(digests(framesOf(events))).toEqual(digests(q));
    expect(d.stats).toMatchObject({ bytesIn: noise.length + camf.length, bytesSkipped: noise.length });
  });
});

describe('AutoDecoder after a guess without framing', () => {
  /**
   * Junk that settles auto-detection on bare JPEG: a JPEG followed by more than 64 bytes of text
   * (a container header right after a JPEG would have shown it was that container's payload).
   */
  const looksLikeJpeg = Buffer.concat([q[0]!, Buffer.from(`I (9) random: ${'junk '.repeat(14)}\r\n`)]);

  it.each(['camf', 'openiris', 'arducam-mega'] as const)(
    'switches from jpeg to %s at its first frame, and /status-worthy counters add up',
    (name) => {
      const device = wire[name](q.slice(1));
      const bytes = Buffer.concat([boot, looksLikeJpeg, device]);
      const { d, raw } = detectEverywhere(bytes);
      const switches = raw.filter((e) => e.type === 'protocol');
      expect(switches).toEqual([
        { type: 'protocol', protocol: 'jpeg' },
        { type: 'protocol', protocol: name, previous: 'jpeg' },
      ]);
      expect(d.protocol).toBe(name);
      // The guessed JPEG came out as a bare JPEG; every frame of the device after the switch.
      expect(digests(framesOf(raw))).toEqual(digests(q));
      expect(d.stats.frames).toBe(q.length);
      expect(d.stats.bytesIn).toBe(bytes.length);
      if (name === 'camf') {
        const seqs = raw.flatMap((e) => (e.type === 'frame' ? [e.seq] : []));
        expect(seqs).toEqual([undefined, 1, 2, 3]);
      }
    },
  );

  it('switches from arducam text to CAMF, and never again once framed', () => {
    const arducamJunk = Buffer.from('ACK CMD noise that looks like a sketch END\r\n', 'latin1');
    const bytes = Buffer.concat([arducamJunk, wire.camf(q.slice(0, 2)), wire['arducam-mega'](q.slice(2))]);
    const { d, raw } = detectEverywhere(bytes);
    expect(raw.filter((e) => e.type === 'protocol')).toEqual([
      { type: 'protocol', protocol: 'arducam' },
      { type: 'protocol', protocol: 'camf', previous: 'arducam' },
    ]);
    expect(d.protocol).toBe('camf');
    expect(digests(framesOf(raw))).toEqual(digests(q.slice(0, 2)));
  });

  it('does not switch on header-shaped junk in a bare JPEG stream (a CAMF magic without a valid header, FF A0 FF A1 without a JPEG)', () => {
    const junk = Buffer.concat([
      Buffer.from('CAMF\x01\x01 not a header at all, 28 bytes or more.....', 'latin1'),
      Buffer.from([0xff, 0xa0, 0xff, 0xa1, 0x10, 0x00, 0x41, 0x42, 0x43]),
      Buffer.from([0xff, 0xaa, 0x01, 0x05, 0x00, 0x00, 0x00, 0x11, 0x20]),
    ]);
    const bytes = Buffer.concat([wire.jpeg(q.slice(0, 2)), junk, wire.jpeg(q.slice(2))]);
    const { d, raw } = detectEverywhere(bytes);
    expect(raw.filter((e) => e.type === 'protocol')).toEqual([{ type: 'protocol', protocol: 'jpeg' }]);
    expect(d.protocol).toBe('jpeg');
    expect(digests(framesOf(raw))).toEqual(digests(q));
  });

  it('holds back at most a few bytes while watching', () => {
    const d = new AutoDecoder();
    const bytes = Buffer.concat([looksLikeJpeg, wire.jpeg(q)]);
    let peak = 0;
    for (let i = 0; i < bytes.length; i += 7) {
      d.push(bytes.subarray(i, i + 7));
      peak = Math.max(peak, d.bufferedBytes);
    }
    expect(d.protocol).toBe('jpeg');
    expect(peak).toBeLessThanOrEqual(Math.max(...q.map((j) => j.length)) + 64);
  });
});

describe('createDecoder', () => {
  it('makes each protocol decoder and rejects unknown names', () => {
    for (const name of ['camf', 'jpeg', 'arducam', 'arducam-mega', 'openiris'] as const) {
      expect(createDecoder(name).protocol).toBe(name);
    }
    expect(createDecoder('auto').protocol).toBe('auto');
    expect(() => createDecoder('mjpeg' as never)).toThrow(
      /unknown protocol "mjpeg" \(expected one of auto, camf/,
    );
  });
});

describe('auto-detection on the recorded stream fixtures', () => {
  it.each([
    ['camf-qvga.bin', 'camf', 24],
    ['camf-vga-noise.bin', 'camf', 5],
    ['jpeg-bootlog.bin', 'jpeg', 12],
    ['demo.camf', 'camf', 24],
  ] as const)('%s is %s with %i frames', (file, protocol, frames) => {
    const d = new AutoDecoder();
    const events = feedInChunks(d, fixture(`streams/${file}`), 1024);
    expect(events[0]).toEqual({ type: 'protocol', protocol });
    expect(framesOf(events)).toHaveLength(frames);
    expect(d.stats.frames).toBe(frames);
  });
});
