/**
 * Seeded, reproducible fuzzing of the CAMF, bare JPEG and auto decoders.
 *
 *   FUZZ_CASES=5000 npx vitest run test/protocol/fuzz.test.ts    more cases (default 300 per suite)
 *   FUZZ_SEED=1234 npx vitest run test/protocol/fuzz.test.ts     another seed
 *   FUZZ_SEED=1234 FUZZ_FROM=77 FUZZ_CASES=1 npx vitest run …     replay case 77 alone (a failure prints how)
 *
 * Each case builds a stream of known frames, applies 1-3 mutations (bit flips, byte drops,
 * inserts of random or header-shaped junk, truncation, lying length fields), tracks which frames
 * each mutation touched, then feeds the stream whole and in random chunks and checks: nothing
 * throws; memory stays bounded; both chunkings give the same events; every emitted frame is
 * genuine (CAMF: equals the frame sent with that seq; JPEG: structurally valid); every frame no
 * mutation touched comes out.
 */
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../src/protocol/camf/crc32.js';
import { CamfDecoder } from '../../src/protocol/camf/decoder.js';
import {
  CAMF_MAGIC,
  CAMF_OVERHEAD_BYTES,
  CamfEncoder,
  encodeCamfFrame,
} from '../../src/protocol/camf/frame.js';
import type { CameraEvent } from '../../src/protocol/detect.js';
import { AutoDecoder } from '../../src/protocol/detect.js';
import { JpegStreamDecoder } from '../../src/protocol/jpeg/decoder.js';
import { isCompleteJpeg } from '../../src/protocol/jpeg/info.js';
import type { Decoder } from '../../src/protocol/types.js';
import {
  FUZZ_CASES as CASES,
  ESP32_BOOT_LOG,
  FUZZ_FROM,
  FUZZ_TIMEOUT,
  fixtureJpegs,
  mulberry32,
  sha1,
} from './helpers.js';

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);
const MAX_FRAME = 64 * 1024;

const realJpegs = fixtureJpegs(/^(qvga-00[1-6]|exif-thumb|progressive|restart|dqt-ffd9|vga-001)/).map(
  (j) => j.bytes,
);

type Rand = () => number;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

function randomBytes(r: Rand, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  return b;
}

/**
 * Junk shaped like the start of something real. `foreign` adds another protocol's signature
 * (ArduCAM text), which rightly makes auto-detection choose that protocol, so the auto runs leave it out.
 */
function headerShapedJunk(r: Rand, foreign = true): Buffer {
  switch (int(r, 0, 3)) {
    case 0:
      return Buffer.concat([CAMF_MAGIC, Buffer.from([1, int(r, 0, 255)]), randomBytes(r, int(r, 0, 40))]);
    case 1:
      return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(r, int(r, 0, 40))]);
    case 2:
      return Buffer.concat([
        Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
        Buffer.from('JFIF\0'),
        randomBytes(r, 30),
      ]);
    default:
      return Buffer.from(
        pick(r, [
          'I (123) cam: hello\r\n',
          'CAMF',
          '\xff\xd8',
          '\xff\xd8\xff',
          foreign ? 'ACK CMD x END\r\n' : 'ACK',
        ]),
        'latin1',
      );
  }
}

interface Stream {
  bytes: Buffer;
  /** [start, end) of each frame in `bytes`; null once a mutation made it meaningless. */
  spans: ([number, number] | null)[];
  touched: Set<number>;
  log: string[];
}

/** Apply one mutation, keeping spans and the touched set up to date. */
function mutate(s: Stream, r: Rand, lie: (s: Stream, k: number, r: Rand) => void, foreign = true): void {
  const len = s.bytes.length;
  if (len === 0) return;
  const touchRange = (a: number, b: number) => {
    s.spans.forEach((sp, k) => {
      if (sp && sp[0] < b && a < sp[1]) s.touched.add(k);
    });
  };
  const shift = (at: number, delta: number) => {
    s.spans = s.spans.map((sp) => (sp && sp[0] >= at ? [sp[0] + delta, sp[1] + delta] : sp));
  };
  const kind = pick(r, ['flip', 'flip', 'drop', 'insert', 'junk', 'truncate', 'lie'] as const);
  const at = int(r, 0, len - 1);
  switch (kind) {
    case 'flip': {
      const bit = int(r, 0, 7);
      s.bytes[at]! ^= 1 << bit;
      touchRange(at, at + 1);
      s.log.push(`flip bit ${bit} at ${at}`);
      return;
    }
    case 'drop': {
      const n = Math.min(len - at, int(r, 1, 64));
      touchRange(at, at + n);
      s.bytes = Buffer.concat([s.bytes.subarray(0, at), s.bytes.subarray(at + n)]);
      s.spans = s.spans.map((sp) => (sp && sp[0] < at + n && at < sp[1] ? null : sp));
      shift(at + n, -n);
      s.log.push(`drop ${n} at ${at}`);
      return;
    }
    case 'insert':
    case 'junk': {
      const add = kind === 'junk' ? headerShapedJunk(r, foreign) : randomBytes(r, int(r, 1, 64));
      s.spans.forEach((sp, k) => {
        if (sp && sp[0] < at && at < sp[1]) s.touched.add(k);
      });
      s.bytes = Buffer.concat([s.bytes.subarray(0, at), add, s.bytes.subarray(at)]);
      s.spans = s.spans.map((sp) => (sp && sp[0] < at && at < sp[1] ? null : sp));
      shift(at, add.length);
      s.log.push(`${kind} ${add.length} at ${at}`);
      return;
    }
    case 'truncate':
      touchRange(at, len);
      s.bytes = s.bytes.subarray(0, at);
      s.spans = s.spans.map((sp) => (sp && sp[1] > at ? null : sp));
      s.log.push(`truncate at ${at}`);
      return;
    case 'lie': {
      const live = s.spans.flatMap((sp, k) => (sp ? [k] : []));
      if (live.length === 0) return;
      const k = pick(r, live);
      lie(s, k, r);
      s.touched.add(k);
      return;
    }
  }
}

/** Random chunking: mostly small, sometimes large. */
function feedRandom(
  d: Decoder<CameraEvent> & { bufferedBytes: number },
  bytes: Buffer,
  r: Rand,
  bound: number,
): CameraEvent[] {
  const out: CameraEvent[] = [];
  for (let i = 0; i < bytes.length; ) {
    const n = pick(r, [1, 2, 3, 7, 64, 500, 4096, 70_000]);
    out.push(...d.push(bytes.subarray(i, i + n)));
    i += n;
    expect(d.bufferedBytes).toBeLessThanOrEqual(bound);
  }
  out.push(...d.end());
  expect(d.bufferedBytes).toBe(0);
  return out;
}

const summary = (events: CameraEvent[]) =>
  events.map((e) => (e.type === 'frame' ? `frame ${e.seq ?? ''} ${sha1(e.jpeg)}` : JSON.stringify(e)));

function runCases(name: string, body: (r: Rand, caseNo: number) => void): void {
  it(`${name}: ${CASES} cases from seed ${SEED}`, { timeout: FUZZ_TIMEOUT }, () => {
    for (let c = FUZZ_FROM; c < FUZZ_FROM + CASES; c++) {
      const r = mulberry32((SEED ^ Math.imul(c + 1, 0x9e3779b1)) >>> 0);
      try {
        body(r, c);
      } catch (err) {
        const replay = `FUZZ_SEED=${SEED} FUZZ_FROM=${c} FUZZ_CASES=1`;
        (err as Error).message = `[FUZZ_SEED=${SEED} case ${c}; replay: ${replay}] ${(err as Error).message}`;
        throw err;
      }
    }
  });
}

// ---------------------------------------------------------------------------------------- CAMF

function camfStream(r: Rand, foreign: boolean): { s: Stream; sent: Map<number, Buffer> } {
  const enc = new CamfEncoder({ startSeq: int(r, 0, 1000), clockUs: () => 0 });
  const parts: Buffer[] = [];
  const spans: [number, number][] = [];
  const sent = new Map<number, Buffer>();
  let at = 0;
  if (r() < 0.3) {
    parts.push(Buffer.from(ESP32_BOOT_LOG, 'latin1'));
    at += ESP32_BOOT_LOG.length;
  }
  const n = int(r, 2, 7);
  for (let k = 0; k < n; k++) {
    const payload =
      r() < 0.3
        ? pick(r, realJpegs)
        : Buffer.concat([
            Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
            randomBytes(r, int(r, 0, 600)),
            Buffer.from([0xff, 0xd9]),
          ]);
    sent.set(enc.nextSeq, payload);
    const f = enc.jpeg(payload, k * 1000);
    parts.push(f);
    spans.push([at, at + f.length]);
    at += f.length;
    if (r() < 0.3) {
      const junk = r() < 0.5 ? headerShapedJunk(r, foreign) : randomBytes(r, int(r, 1, 40));
      parts.push(junk);
      at += junk.length;
    }
  }
  return { s: { bytes: Buffer.concat(parts), spans, touched: new Set(), log: [] }, sent };
}

/** A header whose length field lies (header CRC recomputed, so only the payload CRC can tell). */
function camfLie(s: Stream, k: number, r: Rand): void {
  const [start] = s.spans[k]!;
  const h = s.bytes;
  if (start + 28 > h.length) return;
  const old = h.readUInt32LE(start + 20);
  const lie = pick(r, [0, 1, old - 1, old + 1, old + 5000, MAX_FRAME + 1, 0xffffffff]) >>> 0;
  h.writeUInt32LE(lie, start + 20);
  h.writeUInt32LE(crc32(h, start, start + 24), start + 24);
  s.log.push(`frame ${k} length ${old} -> ${lie}`);
}

function checkCamf(r: Rand, useAuto: boolean): void {
  const { s, sent } = camfStream(r, !useAuto);
  const seqs = [...sent.keys()];
  for (let m = int(r, 1, 3); m > 0; m--) mutate(s, r, camfLie, !useAuto);
  const make = () =>
    useAuto ? new AutoDecoder({ maxFrameBytes: MAX_FRAME }) : new CamfDecoder({ maxFrameBytes: MAX_FRAME });
  const whole = make();
  const wholeEvents = [...whole.push(s.bytes), ...whole.end()];
  const chunked = make();
  const bound = useAuto ? Math.min(MAX_FRAME, 1 << 20) + 64 * 1024 : MAX_FRAME + CAMF_OVERHEAD_BYTES;
  const chunkedEvents = feedRandom(chunked, s.bytes, r, bound);
  const ctx = s.log.join('; ');
  expect(summary(chunkedEvents), ctx).toEqual(summary(wholeEvents));
  const frames = wholeEvents.filter((e) => e.type === 'frame');
  const untouched = seqs.filter((_, k) => !s.touched.has(k));
  if (whole.protocol !== 'camf') {
    // Auto-detection may only take a CAMF stream for something else when every frame was damaged.
    expect(untouched, `${ctx}: detected ${whole.protocol} with intact CAMF frames`).toEqual([]);
    for (const f of frames) expect(isCompleteJpeg(f.jpeg), ctx).toBe(true);
    return;
  }
  for (const f of frames) {
    expect(
      f.seq !== undefined && sent.get(f.seq)?.equals(f.jpeg),
      `${ctx}: frame seq ${f.seq} is genuine`,
    ).toBe(true);
  }
  const got = new Set(frames.map((f) => f.seq));
  for (const seq of untouched)
    expect(got.has(seq), `${ctx}: untouched frame seq ${seq} recovered`).toBe(true);
}

// ---------------------------------------------------------------------------------------- JPEG

function jpegStream(r: Rand): Stream {
  const parts: Buffer[] = [];
  const spans: [number, number][] = [];
  let at = 0;
  if (r() < 0.3) {
    parts.push(Buffer.from(ESP32_BOOT_LOG, 'latin1'));
    at += ESP32_BOOT_LOG.length;
  }
  const n = int(r, 2, 6);
  for (let k = 0; k < n; k++) {
    const j = pick(r, realJpegs);
    parts.push(j);
    spans.push([at, at + j.length]);
    at += j.length;
    if (r() < 0.5) {
      const junk =
        r() < 0.5
          ? Buffer.from(`I (${k}) cam: frame ${k}\r\n`)
          : r() < 0.5
            ? headerShapedJunk(r)
            : randomBytes(r, 20);
      parts.push(junk);
      at += junk.length;
    }
  }
  return { bytes: Buffer.concat(parts), spans, touched: new Set(), log: [] };
}

/** Make a segment length of frame k lie. */
function jpegLie(s: Stream, k: number, r: Rand): void {
  const [start, end] = s.spans[k]!;
  const frame = s.bytes.subarray(start, end);
  const marker = pick(r, [0xdb, 0xc4, 0xc0, 0xda, 0xe0, 0xe1]);
  const at = frame.indexOf(Buffer.from([0xff, marker]));
  if (at < 0 || at + 4 > frame.length) return;
  const old = frame.readUInt16BE(at + 2);
  const lie = pick(r, [0, 1, old - 1, old + 1, old + 300, 0xffff]) & 0xffff;
  frame.writeUInt16BE(lie, at + 2);
  s.log.push(`frame ${k} marker ${marker.toString(16)} length ${old} -> ${lie}`);
}

function checkJpeg(r: Rand): void {
  const s = jpegStream(r);
  const originals = s.spans.map((sp) => Buffer.from(s.bytes.subarray(sp![0], sp![1])));
  for (let m = int(r, 1, 3); m > 0; m--) mutate(s, r, jpegLie);
  const whole = new JpegStreamDecoder({ maxFrameBytes: MAX_FRAME });
  const wholeEvents = [...whole.push(s.bytes), ...whole.end()];
  const chunkedEvents = feedRandom(
    new JpegStreamDecoder({ maxFrameBytes: MAX_FRAME }),
    s.bytes,
    r,
    MAX_FRAME,
  );
  const ctx = s.log.join('; ');
  expect(summary(chunkedEvents), ctx).toEqual(summary(wholeEvents));
  const frames = wholeEvents.flatMap((e) => (e.type === 'frame' ? [e.jpeg] : []));
  for (const f of frames) expect(isCompleteJpeg(f), `${ctx}: emitted frame is a valid JPEG`).toBe(true);
  // Where each emitted frame sits in the stream (always a contiguous run of its bytes).
  const original = new Set(originals.map((o) => sha1(o)));
  const placed: { at: number; end: number; genuine: boolean }[] = [];
  let cursor = 0;
  for (const f of frames) {
    const at = s.bytes.indexOf(f, cursor);
    expect(at, `${ctx}: emitted frame is a run of stream bytes`).toBeGreaterThanOrEqual(0);
    placed.push({ at, end: at + f.length, genuine: original.has(sha1(f)) });
    cursor = at + 1;
  }
  // Every untouched frame comes out, unless damage glued it into a damaged frame that still
  // walks as a JPEG (a lying APPn/COM length landing on a later frame's own segments: a bare
  // JPEG stream has no checksum that could tell). It never disappears any other way.
  s.spans.forEach((sp, k) => {
    if (!sp || s.touched.has(k)) return;
    const out = placed.some((p) => p.at === sp[0] && p.end === sp[1]);
    const glued = placed.some((p) => !p.genuine && p.at < sp[0] && p.end >= sp[1]);
    expect(out || glued, `${ctx}: untouched frame ${k} recovered`).toBe(true);
  });
}

describe('fuzz', () => {
  runCases('CamfDecoder', (r) => checkCamf(r, false));
  runCases('AutoDecoder on CAMF input', (r) => checkCamf(r, true));
  runCases('JpegStreamDecoder', (r) => checkJpeg(r));

  it('encodeCamfFrame / CamfDecoder round-trip random payloads of every small size', () => {
    const r = mulberry32(SEED);
    const d = new CamfDecoder();
    for (let n = 0; n < 300; n++) {
      const payload = randomBytes(r, n);
      const events = d.push(encodeCamfFrame({ type: 0x02, payload, seq: n }));
      expect(events).toEqual([{ type: 'log', text: new TextDecoder().decode(payload) }]);
    }
    expect(d.stats.crcErrors).toBe(0);
  });
});
