/**
 * The decoder fuzz targets, one per protocol (and framing), shared by the suite
 * (`fuzz.test.ts`, `device-fuzz.test.ts`: a few hundred cases) and `npm run fuzz`
 * (`scripts/fuzz.ts`: a million per target, on every core). No test framework here: a case is
 * built from a seed alone, decoded whole and in random chunks, and checked; what is wrong comes
 * back as one line per violation, empty when the case passed.
 *
 * What every case checks: nothing throws; memory stays bounded after every push; the whole
 * stream and the random chunking give the same events and counters; every emitted frame is one
 * that was sent, byte for byte (CAMF: the one sent with that seq; bare JPEG: a valid JPEG that is
 * a run of the stream's bytes); every frame no damage touched comes out.
 */
import { CamfDecoder } from '../../src/protocol/camf/decoder.js';
import { CAMF_OVERHEAD_BYTES } from '../../src/protocol/camf/frame.js';
import { MAX_TEXT_LINE } from '../../src/protocol/common/text-lines.js';
import { AutoDecoder, type CameraEvent } from '../../src/protocol/detect.js';
import { JpegStreamDecoder } from '../../src/protocol/jpeg/decoder.js';
import { isCompleteJpeg } from '../../src/protocol/jpeg/info.js';
import type { Decoder, DecoderStats } from '../../src/protocol/types.js';
import { buildCase, type Case, FRAMINGS, MAX_FRAME } from './device-fuzz-cases.js';
import {
  camfLie,
  camfStream,
  FUZZ_MAX_FRAME,
  int,
  jpegLie,
  jpegStream,
  mutate,
  pick,
  type Rand,
  type Stream,
} from './fuzz-mutate.js';
import { mulberry32 } from './helpers.js';

type FuzzDecoder = Decoder<CameraEvent> & { readonly bufferedBytes: number };

export interface FuzzTarget {
  /** `camf`, `jpeg`, `arducam`, `arducam-2016`, `arducam-mega`, `arducam-mega-legacy`, `openiris`, `auto`. */
  readonly name: string;
  /** Build case `seed`, decode it and check it: one line per violation, [] when it passed. */
  run(seed: number): string[];
}

/** The seed of case `index` of a run started from `base` (so `FUZZ_SEED` + an index replays one case). */
export function caseSeed(base: number, index: number): number {
  return (base ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
}

// ─────────────────────────────────────────────────────────────── decoding and comparing

interface Decoded {
  events: CameraEvent[];
  stats: DecoderStats;
  /** Largest `bufferedBytes` after any push. */
  peak: number;
  /** `bufferedBytes` after `end()` (must be 0). */
  leftover: number;
  /** Whatever the decoder threw, if it did. */
  thrown?: string;
}

/** Decode `bytes` in pieces of `size()` bytes (null: the whole rest), then end. */
function decode(make: () => FuzzDecoder, bytes: Buffer, size: () => number | null): Decoded {
  const d = make();
  const events: CameraEvent[] = [];
  let peak = 0;
  let leftover = 0;
  try {
    for (let i = 0; i < bytes.length; ) {
      const n = size() ?? bytes.length;
      for (const e of d.push(bytes.subarray(i, i + n))) events.push(e);
      if (d.bufferedBytes > peak) peak = d.bufferedBytes;
      i += n;
    }
    for (const e of d.end()) events.push(e);
    leftover = d.bufferedBytes;
  } catch (err) {
    const thrown = err instanceof Error ? err.message : String(err);
    return { events, stats: { ...d.stats }, peak, leftover, thrown };
  }
  return { events, stats: { ...d.stats }, peak, leftover };
}

function sameEvent(a: CameraEvent, b: CameraEvent): boolean {
  if (a.type !== b.type) return false;
  if (a.type === 'frame' && b.type === 'frame') {
    return a.seq === b.seq && a.deviceTimeUs === b.deviceTimeUs && a.jpeg.equals(b.jpeg);
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The violations of decoding `bytes` whole and in `pieces`: throwing, memory, chunking. */
function compare(whole: Decoded, pieces: Decoded, bound: number): string[] {
  const out: string[] = [];
  for (const run of [whole, pieces]) {
    if (run.thrown) out.push(`threw: ${run.thrown}`);
    if (run.leftover !== 0) out.push(`still holds ${run.leftover} bytes after end()`);
  }
  if (pieces.peak > bound) out.push(`held ${pieces.peak} bytes (bound ${bound})`);
  if (whole.peak > bound) out.push(`held ${whole.peak} bytes whole (bound ${bound})`);
  const n = Math.max(whole.events.length, pieces.events.length);
  for (let i = 0; i < n; i++) {
    const a = whole.events[i];
    const b = pieces.events[i];
    if (!a || !b || !sameEvent(a, b)) {
      out.push(`chunking changed event ${i}: ${a?.type ?? 'none'} vs ${b?.type ?? 'none'}`);
      break;
    }
  }
  for (const key of Object.keys(whole.stats) as (keyof DecoderStats)[]) {
    if (whole.stats[key] !== pieces.stats[key])
      out.push(`chunking changed ${key}: ${whole.stats[key]} vs ${pieces.stats[key]}`);
  }
  return out;
}

function framesOf(events: readonly CameraEvent[]): Extract<CameraEvent, { type: 'frame' }>[] {
  return events.filter((e): e is Extract<CameraEvent, { type: 'frame' }> => e.type === 'frame');
}

/** Mostly small pieces, sometimes large (the CAMF and JPEG loops). */
function mixedChunks(r: Rand): () => number {
  return () => pick(r, [1, 2, 3, 7, 64, 500, 4096, 70_000]);
}

// ─────────────────────────────────────────────────────────────── CAMF, auto, bare JPEG

function checkCamf(seed: number, useAuto: boolean): string[] {
  const r = mulberry32(seed);
  const s = camfStream(r, !useAuto);
  const seqs = [...s.sent.keys()];
  for (let m = int(r, 1, 3); m > 0; m--) mutate(s, r, camfLie, !useAuto);
  const make = (): FuzzDecoder =>
    useAuto
      ? new AutoDecoder({ maxFrameBytes: FUZZ_MAX_FRAME })
      : new CamfDecoder({ maxFrameBytes: FUZZ_MAX_FRAME });
  const bound = useAuto
    ? Math.min(FUZZ_MAX_FRAME, 1 << 20) + 64 * 1024
    : FUZZ_MAX_FRAME + CAMF_OVERHEAD_BYTES;
  const whole = decode(make, s.bytes, () => null);
  const out = compare(whole, decode(make, s.bytes, mixedChunks(r)), bound);
  const frames = framesOf(whole.events);
  const untouched = seqs.filter((_, k) => !s.touched.has(k));
  const protocols = whole.events.flatMap((e) => (e.type === 'protocol' ? [e.protocol] : []));
  const camf = useAuto ? protocols.at(-1) === 'camf' : true;
  for (const f of frames) {
    if (f.seq !== undefined) {
      if (!s.sent.get(f.seq)?.equals(f.jpeg)) out.push(`frame seq ${f.seq} is not the one sent`);
    } else if (!isCompleteJpeg(f.jpeg)) {
      out.push('a frame decoded before the switch to CAMF is not a whole JPEG');
    }
  }
  if (!camf) {
    // Auto-detection may only take a CAMF stream for something else when every frame was damaged.
    if (untouched.length > 0)
      out.push(`detected ${protocols.join(' → ') || 'nothing'} with intact CAMF frames`);
  } else {
    for (const seq of untouched) {
      const got = frames.some(
        (f) => f.seq === seq || (f.seq === undefined && f.jpeg.equals(s.sent.get(seq)!)),
      );
      if (!got) out.push(`untouched frame seq ${seq} not recovered`);
    }
  }
  return out.map((v) => `${v} [${s.log.join('; ')}]`);
}

function checkJpeg(seed: number): string[] {
  const r = mulberry32(seed);
  const s: Stream = jpegStream(r);
  for (let m = int(r, 1, 3); m > 0; m--) mutate(s, r, jpegLie);
  const make = (): FuzzDecoder => new JpegStreamDecoder({ maxFrameBytes: FUZZ_MAX_FRAME });
  const whole = decode(make, s.bytes, () => null);
  const out = compare(whole, decode(make, s.bytes, mixedChunks(r)), FUZZ_MAX_FRAME);
  const frames = framesOf(whole.events).map((e) => e.jpeg);
  // Where each emitted frame sits in the stream (always a contiguous run of its bytes).
  const placed: { at: number; end: number }[] = [];
  let cursor = 0;
  for (const f of frames) {
    if (!isCompleteJpeg(f)) out.push('emitted a frame that is not a valid JPEG');
    const at = s.bytes.indexOf(f, cursor);
    if (at < 0) {
      out.push('emitted a frame that is not a run of the stream');
      continue;
    }
    placed.push({ at, end: at + f.length });
    cursor = at + 1;
  }
  // Every untouched frame comes out as itself: a damaged frame whose lying length led into it
  // never swallows it (the decoder finds its SOI in the segment the lie skipped).
  s.spans.forEach((sp, k) => {
    if (!sp || s.touched.has(k)) return;
    if (!placed.some((p) => p.at === sp[0] && p.end === sp[1]))
      out.push(`untouched frame ${k} not recovered`);
  });
  return out.map((v) => `${v} [${s.log.join('; ')}]`);
}

// ─────────────────────────────────────────────────────────────── device protocols

function checkDevice(c: Case, seed: number): string[] {
  const make = (): FuzzDecoder => c.framing.make();
  const chunkRand = mulberry32(seed ^ 0x5eed);
  const whole = decode(make, c.stream, () => null);
  const pieces = decode(make, c.stream, () => {
    const x = chunkRand();
    return 1 + Math.floor(x * x * 5000);
  });
  const out = compare(whole, pieces, MAX_FRAME + 16 + MAX_TEXT_LINE);
  const frames = framesOf(whole.events).map((e) => e.jpeg);
  for (const f of frames)
    if (!c.sent.some((j) => j.equals(f))) out.push('emitted a frame that was never sent');
  // Every undamaged frame comes out, in order.
  const expected = c.sent.filter((_, k) => !c.damaged.has(k));
  let j = 0;
  for (const f of frames) if (j < expected.length && f.equals(expected[j]!)) j++;
  if (j !== expected.length) out.push(`recovered ${j} of ${expected.length} undamaged frames`);
  return out.map((v) => `${v} [${c.framing.name}, damaged ${[...c.damaged].join(',') || 'none'}]`);
}

function deviceTarget(name: string, framings: readonly string[]): FuzzTarget {
  const chosen = FRAMINGS.filter((f) => framings.includes(f.name));
  return { name, run: (seed) => checkDevice(buildCase(seed, chosen), seed) };
}

/** Every target, in the order `npm run fuzz` runs them. */
export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  { name: 'camf', run: (seed) => checkCamf(seed, false) },
  { name: 'jpeg', run: checkJpeg },
  deviceTarget('arducam', ['arducam stream', 'arducam single shot']),
  deviceTarget('arducam-2016', ['arducam 2016']),
  deviceTarget('arducam-mega', ['mega current']),
  deviceTarget('arducam-mega-legacy', ['mega legacy']),
  deviceTarget('openiris', ['openiris']),
  { name: 'auto', run: (seed) => checkCamf(seed, true) },
];

export function fuzzTarget(name: string): FuzzTarget {
  const t = FUZZ_TARGETS.find((x) => x.name === name);
  if (!t)
    throw new TypeError(`no fuzz target "${name}"; known: ${FUZZ_TARGETS.map((x) => x.name).join(', ')}`);
  return t;
}
