/**
 * Mutated CAMF and bare-JPEG streams for the fuzzers (`fuzz-cases.ts`): a stream of known frames,
 * then 1-3 mutations (bit flips, byte drops, inserts of random or header-shaped junk, truncation,
 * lying length fields), each tracking which frames it touched.
 */
import { crc32 } from '../../src/protocol/camf/crc32.js';
import { CAMF_MAGIC, CamfEncoder } from '../../src/protocol/camf/frame.js';
import { ESP32_BOOT_LOG, fixtureJpegs, mulberry32 } from './helpers.js';

export type Rand = () => number;

export const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
export const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** Largest frame the fuzzed decoders accept (small, so lying lengths beyond it are cheap to make). */
export const FUZZ_MAX_FRAME = 64 * 1024;

/** Real camera JPEGs (QVGA and VGA frames, an EXIF thumbnail, progressive, restart markers, `FF D9` in a DQT). */
export const REAL_JPEGS: readonly Buffer[] = fixtureJpegs(
  /^(qvga-00[1-6]|exif-thumb|progressive|restart|dqt-ffd9|vga-001)/,
).map((j) => j.bytes);

/**
 * A small JPEG with a real structure (SOI, DQT, SOF0, DHT, SOS, `entropy` bytes of random scan data
 * with every `FF` stuffed, EOI) that the walker accepts: cheap frames for the many fuzz cases
 * (the pixels are noise; only the structure matters to a decoder). Its quantisation table has no
 * `FF` (the fixtures cover `FF D9` there; `FF D8 FF` inside a table reads as a spliced frame to
 * the ArduCAM decoder, which has nothing else to go by).
 */
export function tinyJpeg(r: Rand, entropy: number): Buffer {
  // A window of the stuffed scan pool (one draw), never ending between an FF and its 00.
  const at = int(r, 0, SCAN_POOL.length - entropy - 2);
  let to = at + entropy;
  if (SCAN_POOL[to - 1] === 0xff) to++;
  const table = int(r, 0, TABLE_POOL.length - 64);
  const out = Buffer.allocUnsafe(TINY_HEAD.length + (to - at) + 2);
  TINY_HEAD.copy(out, 0);
  TABLE_POOL.copy(out, TINY_TABLE_AT, table, table + 64);
  let j = TINY_HEAD.length;
  j += SCAN_POOL.copy(out, j, at, to);
  out[j] = 0xff;
  out[j + 1] = 0xd9;
  return out;
}

/**
 * Random bytes made once per process, so a case's frames cost one draw and a copy instead of a
 * draw per four bytes (generation was a quarter of a fuzz case): scan data with every `FF`
 * stuffed (`FF 00`), and quantisation-table bytes with no `FF`.
 */
const SCAN_POOL: Buffer = stuffed(randomBytes(mulberry32(0x5ca9), 1 << 20));
const TABLE_POOL: Buffer = randomBytes(mulberry32(0x7ab1e), 4096);
for (let i = TABLE_POOL.indexOf(0xff); i >= 0; i = TABLE_POOL.indexOf(0xff, i + 1)) TABLE_POOL[i] = 0xfe;

/** `raw` with a 00 after every FF, as JPEG entropy-coded data carries it. */
function stuffed(raw: Buffer): Buffer {
  let ffs = 0;
  for (let i = raw.indexOf(0xff); i >= 0; i = raw.indexOf(0xff, i + 1)) ffs++;
  const out = Buffer.allocUnsafe(raw.length + ffs);
  let j = 0;
  let from = 0;
  for (let i = raw.indexOf(0xff); i >= 0; i = raw.indexOf(0xff, i + 1)) {
    j += raw.copy(out, j, from, i + 1);
    out[j++] = 0x00;
    from = i + 1;
  }
  raw.copy(out, j, from);
  return out;
}

/** A tiny JPEG up to its scan data: SOI, DQT (table zeroed), SOF0 16x16 gray, DHT, SOS. */
const TINY_HEAD: Buffer = Buffer.concat([
  Buffer.from([0xff, 0xd8]),
  Buffer.from([0xff, 0xdb, 0x00, 0x43, 0x00]),
  Buffer.alloc(64),
  Buffer.from([0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x10, 0x00, 0x10, 0x01, 0x01, 0x11, 0x00]),
  Buffer.from([0xff, 0xc4, 0x00, 0x14, 0x00, 0x01]),
  Buffer.alloc(16),
  Buffer.from([0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00]),
]);
/** Where the quantisation table starts in TINY_HEAD. */
const TINY_TABLE_AT = 7;

/** `n` random bytes, four from each draw. */
export function randomBytes(r: Rand, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  fillRandom(r, b, 0, n);
  return b;
}

/** Fill b[from, to) with random bytes, four from each draw (little-endian). */
function fillRandom(r: Rand, b: Buffer, from: number, to: number): void {
  let i = from;
  for (; i + 4 <= to; i += 4) {
    const v = Math.floor(r() * 0x1_0000_0000);
    b[i] = v & 0xff;
    b[i + 1] = (v >>> 8) & 0xff;
    b[i + 2] = (v >>> 16) & 0xff;
    b[i + 3] = v >>> 24;
  }
  if (i < to) {
    const v = Math.floor(r() * 0x1_0000_0000);
    for (let k = 0; i < to; i++, k += 8) b[i] = (v >>> k) & 0xff;
  }
}

/**
 * Junk shaped like the start of something real. `foreign` adds another protocol's signature
 * (ArduCAM text), which rightly makes auto-detection choose that protocol, so the auto runs leave it out.
 */
export function headerShapedJunk(r: Rand, foreign = true): Buffer {
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

export interface Stream {
  bytes: Buffer;
  /** [start, end) of each frame in `bytes`; null once a mutation made it meaningless. */
  spans: ([number, number] | null)[];
  touched: Set<number>;
  log: string[];
}

/** Make frame k's length field lie. */
export type Lie = (s: Stream, k: number, r: Rand) => void;

/** Apply one mutation, keeping spans and the touched set up to date. */
export function mutate(s: Stream, r: Rand, lie: Lie, foreign = true): void {
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
      // The same stream comes from dropping the block anywhere it can slide over equal bytes (a
      // frame's last byte equal to the next one's first): every frame such a drop touches is damaged.
      const b = s.bytes;
      let lo = at;
      while (lo > 0 && b[lo - 1] === b[lo - 1 + n]) lo--;
      let hi = at;
      while (hi + n < len && b[hi] === b[hi + n]) hi++;
      touchRange(lo, hi + n);
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

/**
 * `n` frames (`frame(k)`: frame k's bytes), sometimes after an ESP32 boot log, each followed by
 * `junk(k)` when that gives bytes; the spans say where each frame lies.
 */
function framedStream(
  r: Rand,
  n: number,
  frame: (k: number) => Buffer,
  junk: (k: number) => Buffer | undefined,
): Stream {
  const parts: Buffer[] = r() < 0.3 ? [Buffer.from(ESP32_BOOT_LOG, 'latin1')] : [];
  const spans: [number, number][] = [];
  let at = parts[0]?.length ?? 0;
  for (let k = 0; k < n; k++) {
    const f = frame(k);
    parts.push(f);
    spans.push([at, at + f.length]);
    at += f.length;
    const j = junk(k);
    if (j) {
      parts.push(j);
      at += j.length;
    }
  }
  return { bytes: Buffer.concat(parts), spans, touched: new Set(), log: [] };
}

// ---------------------------------------------------------------------------------------- CAMF

export interface CamfStream extends Stream {
  /** The JPEG sent with each seq, in order. */
  sent: Map<number, Buffer>;
}

/** A few CAMF frames of real or small JPEGs, sometimes after an ESP32 boot log, sometimes with junk between. */
export function camfStream(r: Rand, foreign: boolean): CamfStream {
  const enc = new CamfEncoder({ startSeq: int(r, 0, 1000), clockUs: () => 0 });
  const sent = new Map<number, Buffer>();
  const stream = framedStream(
    r,
    int(r, 2, 7),
    (k) => {
      const payload = r() < 0.3 ? pick(r, REAL_JPEGS) : tinyJpeg(r, int(r, 0, 600));
      sent.set(enc.nextSeq, payload);
      return enc.jpeg(payload, k * 1000);
    },
    () => {
      if (r() >= 0.3) return undefined;
      return r() < 0.5 ? headerShapedJunk(r, foreign) : randomBytes(r, int(r, 1, 40));
    },
  );
  return { ...stream, sent };
}

/** A header whose length field lies (header CRC recomputed, so only the payload CRC can tell). */
export function camfLie(s: Stream, k: number, r: Rand): void {
  const [start] = s.spans[k]!;
  const h = s.bytes;
  if (start + 28 > h.length) return;
  const old = h.readUInt32LE(start + 20);
  const lie = pick(r, [0, 1, old - 1, old + 1, old + 5000, FUZZ_MAX_FRAME + 1, 0xffffffff]) >>> 0;
  h.writeUInt32LE(lie, start + 20);
  h.writeUInt32LE(crc32(h, start, start + 24), start + 24);
  s.log.push(`frame ${k} length ${old} -> ${lie}`);
}

// ---------------------------------------------------------------------------------------- JPEG

/** A few real or small JPEGs back to back, sometimes after a boot log, with text or junk between some. */
export function jpegStream(r: Rand): Stream {
  return framedStream(
    r,
    int(r, 2, 6),
    () => (r() < 0.5 ? pick(r, REAL_JPEGS) : tinyJpeg(r, int(r, 0, 2000))),
    (k) => {
      if (r() >= 0.5) return undefined;
      if (r() < 0.5) return Buffer.from(`I (${k}) cam: frame ${k}\r\n`);
      return r() < 0.5 ? headerShapedJunk(r) : randomBytes(r, 20);
    },
  );
}

/** Make a segment length of frame k lie. */
export function jpegLie(s: Stream, k: number, r: Rand): void {
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
