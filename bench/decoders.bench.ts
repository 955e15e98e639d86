/**
 * Decoder throughput: CAMF and bare-JPEG decoders over ~64 MB streams of real JPEGs (15 KB VGA
 * fixtures; 60 KB 1280×720 frames made by ffmpeg at bench time), fed in 64 B, 1 KB and 64 KB
 * chunks. Baselines on the same bytes in the same process:
 *   - `@serialport/parser-delimiter` (delimiter FF D9, includeDelimiter) driven through
 *     `_transform` with `push` counting frames (its cheapest possible use);
 *   - a bare `Buffer.indexOf(FF D9)` sweep over the same chunks (no copies: a memchr ceiling).
 * Also CRC-32: native zlib vs the JS slice-by-8 table on 15 KB and 60 KB buffers.
 *
 * Each figure: a warm-up (≥ 3 runs, ≥ 0.5 s), then BENCH_REPEATS (default 5) runs, median MB/s (1 MB = 10^6 bytes).
 * A run covers the whole stream, or for slow cases a prefix sized to take about 0.4 s.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DelimiterParser } from '@serialport/parser-delimiter';
import { CamfDecoder, CamfEncoder } from '../src/protocol/camf.js';
import { crc32Js, crc32Native } from '../src/protocol/crc32.js';
import { JpegStreamDecoder } from '../src/protocol/jpeg.js';
import { machineNote, printTable, ratio } from './lib/harness.js';

const STREAM_BYTES = 64 * 1024 * 1024;
const CHUNKS = [64, 1024, 64 * 1024] as const;
const REPEATS = Math.max(1, Number(process.env.BENCH_REPEATS ?? 5));
const RUN_SECONDS = 0.4;
const JPEG_DIR = fileURLToPath(new URL('../fixtures/jpeg/', import.meta.url));

type Runner = (stream: Buffer, bytes: number, chunk: number) => number;

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** VGA fixtures (~15 KB) and 1280×720 ffmpeg frames at -q:v 3 (~60 KB). */
function frameSets(): { name: string; frames: Buffer[] }[] {
  const vga = readdirSync(JPEG_DIR)
    .filter((f) => f.startsWith('vga-'))
    .sort()
    .map((f) => readFileSync(join(JPEG_DIR, f)));
  const dir = mkdtempSync(join(tmpdir(), 'bench-jpeg-'));
  try {
    execFileSync('ffmpeg', [
      ...['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=10'],
      ...['-frames:v', '8', '-q:v', '3', '-pix_fmt', 'yuvj420p', join(dir, 'hd-%02d.jpg')],
    ]);
    const hd = readdirSync(dir)
      .sort()
      .map((f) => readFileSync(join(dir, f)));
    return [
      { name: `${kb(vga)} KB`, frames: vga },
      { name: `${kb(hd)} KB`, frames: hd },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function kb(frames: Buffer[]): number {
  return Math.round(frames.reduce((n, f) => n + f.length, 0) / frames.length / 1000);
}

function repeatTo(parts: Buffer[], total: number): Buffer {
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (let i = 0; at < total; i++) {
    const p = parts[i % parts.length]!;
    at += p.copy(out, at, 0, Math.min(p.length, total - at));
  }
  return out;
}

// Each runner decodes stream[0, bytes) in `chunk`-byte pushes and returns the frames it found.

const camfRunner: Runner = (stream, bytes, chunk) => {
  const d = new CamfDecoder();
  let frames = 0;
  for (let i = 0; i < bytes; i += chunk) {
    for (const e of d.push(stream.subarray(i, Math.min(bytes, i + chunk)))) if (e.type === 'frame') frames++;
  }
  return frames;
};

const jpegRunner: Runner = (stream, bytes, chunk) => {
  const d = new JpegStreamDecoder();
  let frames = 0;
  for (let i = 0; i < bytes; i += chunk) {
    for (const e of d.push(stream.subarray(i, Math.min(bytes, i + chunk)))) if (e.type === 'frame') frames++;
  }
  return frames;
};

const delimiterRunner: Runner = (stream, bytes, chunk) => {
  const p = new DelimiterParser({ delimiter: [0xff, 0xd9], includeDelimiter: true });
  let frames = 0;
  p.push = () => {
    frames++;
    return true;
  };
  const done = () => {};
  for (let i = 0; i < bytes; i += chunk)
    p._transform(stream.subarray(i, Math.min(bytes, i + chunk)), 'binary', done);
  return frames;
};

const indexOfRunner: Runner = (stream, bytes, chunk) => {
  let frames = 0;
  let lastFF = false;
  for (let i = 0; i < bytes; i += chunk) {
    const c = stream.subarray(i, Math.min(bytes, i + chunk));
    if (lastFF && c[0] === 0xd9) frames++;
    for (let at = c.indexOf(0xff); at >= 0 && at + 1 < c.length; at = c.indexOf(0xff, at + 1)) {
      if (c[at + 1] === 0xd9) frames++;
    }
    lastFF = c[c.length - 1] === 0xff;
  }
  return frames;
};

/** Median MB/s of `run` over the stream (or a prefix sized to ~RUN_SECONDS), after a warm-up. */
function measure(run: Runner, stream: Buffer, chunk: number, expectFramesPerMB?: number): number {
  const probe = Math.min(stream.length, 2 * 1024 * 1024);
  // Warm up until the JIT has settled: at least 3 probe runs and 0.5 s.
  let rate = 0;
  const warmStart = performance.now();
  for (let w = 0; w < 3 || performance.now() - warmStart < 500; w++) {
    const t0 = performance.now();
    run(stream, probe, chunk);
    rate = probe / ((performance.now() - t0) / 1000);
  }
  let t = 0;
  const bytes = Math.min(stream.length, Math.max(probe, Math.floor((rate * RUN_SECONDS) / chunk) * chunk));
  const results: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    gc();
    t = performance.now();
    const frames = run(stream, bytes, chunk);
    const seconds = (performance.now() - t) / 1000;
    if (expectFramesPerMB !== undefined && frames < (bytes / 1e6) * expectFramesPerMB * 0.98) {
      throw new Error(`${run.name || 'runner'} found ${frames} frames in ${bytes} bytes: not decoding`);
    }
    results.push(bytes / 1e6 / seconds);
  }
  results.sort((a, b) => a - b);
  return results[Math.floor(results.length / 2)]!;
}

function crcTable(): void {
  const rows: string[][] = [['CRC-32 over', 'zlib.crc32 MB/s', 'JS slice-by-8 MB/s', 'native / JS']];
  for (const size of [24, 15_000, 60_000]) {
    const buf = Buffer.alloc(size);
    for (let i = 0; i < size; i++) buf[i] = (i * 2654435761) >>> 24;
    const run = (f: (b: Uint8Array, s?: number, e?: number) => number): number => {
      const iters = Math.max(1000, Math.floor(100e6 / size));
      let x = 0;
      for (let i = 0; i < iters / 10; i++) x ^= f(buf, 0, size);
      const out: number[] = [];
      for (let r = 0; r < REPEATS; r++) {
        const t = performance.now();
        for (let i = 0; i < iters; i++) x ^= f(buf, 0, size);
        out.push((size * iters) / 1e6 / ((performance.now() - t) / 1000));
      }
      if (x === 0.5) console.log(x);
      return out.sort((a, b) => a - b)[Math.floor(out.length / 2)]!;
    };
    const native = crc32Native ? run(crc32Native) : Number.NaN;
    const js = run(crc32Js);
    rows.push([`${size} B`, native.toFixed(0), js.toFixed(0), ratio(native, js)]);
  }
  printTable(rows);
}

/** What the speed buys: exact frames out of the bare-JPEG fixture stream (boot log, prints, hard cases). */
function correctness(): void {
  const streamsDir = fileURLToPath(new URL('../fixtures/streams/', import.meta.url));
  const bytes = readFileSync(join(streamsDir, 'jpeg-bootlog.bin'));
  const sidecar = JSON.parse(readFileSync(join(streamsDir, 'jpeg-bootlog.json'), 'utf8')) as {
    frames: { sha1: string }[];
  };
  const want = new Set(sidecar.frames.map((f) => f.sha1));
  const sha = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');
  const ours: Buffer[] = [];
  const d = new JpegStreamDecoder();
  for (const e of [...d.push(bytes), ...d.end()]) if (e.type === 'frame') ours.push(e.jpeg);
  const theirs: Buffer[] = [];
  const p = new DelimiterParser({ delimiter: [0xff, 0xd9], includeDelimiter: true });
  p.push = (b: Buffer | null) => {
    if (b) theirs.push(b);
    return true;
  };
  p._transform(bytes, 'binary', () => {});
  const exact = (frames: Buffer[]) => frames.filter((f) => want.has(sha(f))).length;
  console.log(
    `\nexact frames out of fixtures/streams/jpeg-bootlog.bin (${want.size} JPEGs incl. EXIF thumbnail, FF D9 in DQT/COM):`,
  );
  printTable([
    ['parser', 'pieces emitted', 'byte-exact frames'],
    ['JpegStreamDecoder', String(ours.length), `${exact(ours)} / ${want.size}`],
    ['DelimiterParser FF D9', String(theirs.length), `${exact(theirs)} / ${want.size}`],
  ]);
}

export default async function run(): Promise<void> {
  console.log(`decoder throughput, ${STREAM_BYTES / 2 ** 20} MiB streams, median of ${REPEATS}`);
  console.log(machineNote());
  const sets = frameSets();
  const rows: string[][] = [
    [
      'frames',
      'chunk',
      'CAMF MB/s',
      'JPEG MB/s',
      'delimiter MB/s',
      'indexOf MB/s',
      'CAMF/delim',
      'JPEG/delim',
    ],
  ];
  const summary: { set: string; chunk: number; camf: number; jpeg: number; delim: number }[] = [];
  for (const set of sets) {
    const enc = new CamfEncoder({ clockUs: () => 0 });
    const camfStream = repeatTo(
      set.frames.map((f) => enc.jpeg(f)),
      STREAM_BYTES,
    );
    const avg = set.frames.reduce((n, f) => n + f.length, 0) / set.frames.length;
    const framesPerMB = 1e6 / (avg + 32);
    const jpegStream = repeatTo(set.frames, STREAM_BYTES);
    for (const chunk of CHUNKS) {
      const camf = measure(camfRunner, camfStream, chunk, framesPerMB * 0.9);
      const jpeg = measure(jpegRunner, jpegStream, chunk, framesPerMB * 0.9);
      const delim = measure(delimiterRunner, jpegStream, chunk);
      const idx = measure(indexOfRunner, jpegStream, chunk);
      summary.push({ set: set.name, chunk, camf, jpeg, delim });
      rows.push([
        set.name,
        chunk >= 1024 ? `${chunk / 1024} KB` : `${chunk} B`,
        camf.toFixed(0),
        jpeg.toFixed(0),
        delim.toFixed(0),
        idx.toFixed(0),
        ratio(camf, delim),
        ratio(jpeg, delim),
      ]);
    }
  }
  printTable(rows);

  console.log('\nsmall vs large chunks (64 KB MB/s ÷ 64 B MB/s; target ≤ 3×) and targets at 64 KB chunks:');
  const checks: string[][] = [
    [
      'frames',
      'CAMF 64KB/64B',
      'JPEG 64KB/64B',
      'CAMF ≥ 1000 MB/s',
      'JPEG ≥ 500 MB/s',
      '≥ 5× delimiter (64 KB)',
    ],
  ];
  for (const set of sets) {
    const at = (chunk: number) => summary.find((s) => s.set === set.name && s.chunk === chunk)!;
    const big = at(64 * 1024);
    const small = at(64);
    checks.push([
      set.name,
      ratio(big.camf, small.camf),
      ratio(big.jpeg, small.jpeg),
      big.camf >= 1000 ? 'met' : `MISSED (${big.camf.toFixed(0)})`,
      big.jpeg >= 500 ? 'met' : `MISSED (${big.jpeg.toFixed(0)})`,
      `CAMF ${ratio(big.camf, big.delim)}, JPEG ${ratio(big.jpeg, big.delim)}`,
    ]);
  }
  printTable(checks);

  correctness();

  console.log('\nCRC-32 (the decoder uses zlib.crc32 for payloads, the JS table for 24-byte headers):');
  crcTable();
}
