/**
 * Decoder throughput: CAMF and bare-JPEG decoders over streams of real JPEGs (15 KB VGA fixtures;
 * 60 KB 1280×720 frames made by ffmpeg at bench time), fed in 64 B, 1 KB and 64 KB chunks.
 *
 * The stream is a cycle of whole frames (≥ 4 MiB) cut into chunk views BEFORE timing (a serial
 * port hands over distinct Buffers too, so slicing is not the decoder's cost); a run pushes the
 * cycle's chunks lap after lap (~0.4 s). Every runner gets exactly the same chunk views.
 * Baselines on the same bytes in the same process:
 *   - `@serialport/parser-delimiter` (delimiter FF D9, includeDelimiter) driven through
 *     `_transform` with `push` counting frames (its cheapest possible use: concat + indexOf +
 *     slice; it neither validates nor copies frames out of its concat buffer);
 *   - a bare `Buffer.indexOf(FF D9)` sweep over the same chunks (no copies: a memchr ceiling);
 *   - floors: what emitting owned frames costs at the very least, on whole frames (no chunking):
 *     `Buffer.from(frame)` + `zlib.crc32(frame)` for CAMF (it must copy and check the payload),
 *     `Buffer.from(frame)` for bare JPEG (it must copy).
 * Also CRC-32: native zlib vs the JS slice-by-8 table on 15 KB and 60 KB buffers.
 *
 * Each figure: a warm-up (≥ 3 laps, ≥ 0.3 s), then the median MB/s (1 MB = 10^6 bytes) of BENCH_REPEATS
 * (default 5) runs; the runs of all figures of one frame set are interleaved round by round.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as zlib from 'node:zlib';
import { DelimiterParser } from '@serialport/parser-delimiter';
import { crc32Js, crc32Native } from '../src/protocol/camf/crc32.js';
import { CamfDecoder } from '../src/protocol/camf/decoder.js';
import { CamfEncoder } from '../src/protocol/camf/frame.js';
import { JpegStreamDecoder } from '../src/protocol/jpeg/decoder.js';
import { machineNote, printTable, ratio } from './lib/harness.js';

/** Smallest cycle of whole frames a run laps over. */
const CYCLE_BYTES = 4 * 1024 * 1024;
const CHUNKS = [64, 1024, 64 * 1024] as const;
const REPEATS = Math.max(1, Number(process.env.BENCH_REPEATS ?? 5));
const RUN_SECONDS = 0.4;
const JPEG_DIR = fileURLToPath(new URL('../fixtures/jpeg/', import.meta.url));

/** Pushes `laps` times over `chunks`; returns the frames found. */
type Runner = (chunks: readonly Buffer[], laps: number) => number;

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

/** Whole copies of `parts`, round-robin, until at least CYCLE_BYTES; with each part's view. */
function cycleOf(parts: Buffer[]): { bytes: Buffer; views: Buffer[] } {
  let total = 0;
  let count = 0;
  while (total < CYCLE_BYTES) total += parts[count++ % parts.length]!.length;
  const bytes = Buffer.allocUnsafe(total);
  const views: Buffer[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const p = parts[i % parts.length]!;
    p.copy(bytes, at);
    views.push(bytes.subarray(at, at + p.length));
    at += p.length;
  }
  return { bytes, views };
}

/** The cycle cut into `chunk`-byte views (the last one may be shorter). */
function sliceInto(bytes: Buffer, chunk: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk)
    out.push(bytes.subarray(i, Math.min(bytes.length, i + chunk)));
  return out;
}

// The CAMF and JPEG runners are written out twice on purpose: one shared runner would make its
// `push` call site polymorphic and charge both decoders for V8's inline-cache miss at 64 B chunks.
const camfRunner: Runner = (chunks, laps) => {
  const d = new CamfDecoder();
  let frames = 0;
  for (let l = 0; l < laps; l++) {
    for (let i = 0; i < chunks.length; i++) {
      const events = d.push(chunks[i]!);
      for (let k = 0; k < events.length; k++) if (events[k]!.type === 'frame') frames++;
    }
  }
  return frames;
};

const jpegRunner: Runner = (chunks, laps) => {
  const d = new JpegStreamDecoder();
  let frames = 0;
  for (let l = 0; l < laps; l++) {
    for (let i = 0; i < chunks.length; i++) {
      const events = d.push(chunks[i]!);
      for (let k = 0; k < events.length; k++) if (events[k]!.type === 'frame') frames++;
    }
  }
  return frames;
};

const delimiterRunner: Runner = (chunks, laps) => {
  const p = new DelimiterParser({ delimiter: [0xff, 0xd9], includeDelimiter: true });
  let frames = 0;
  p.push = () => {
    frames++;
    return true;
  };
  const done = () => {};
  for (let l = 0; l < laps; l++) {
    for (let i = 0; i < chunks.length; i++) p._transform(chunks[i]!, 'binary', done);
  }
  return frames;
};

const indexOfRunner: Runner = (chunks, laps) => {
  let frames = 0;
  let lastFF = false;
  for (let l = 0; l < laps; l++) {
    for (let i = 0; i < chunks.length; i++) {
      const c = chunks[i]!;
      if (lastFF && c[0] === 0xd9) frames++;
      for (let at = c.indexOf(0xff); at >= 0 && at + 1 < c.length; at = c.indexOf(0xff, at + 1)) {
        if (c[at + 1] === 0xd9) frames++;
      }
      lastFF = c[c.length - 1] === 0xff;
    }
  }
  return frames;
};

/** Floor for CAMF: copy each frame out (owned) and CRC it natively; nothing else. `chunks` = whole frames. */
const copyCrcFloor: Runner = (frames, laps) => {
  let n = 0;
  let x = 0;
  for (let l = 0; l < laps; l++) {
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i]!;
      x ^= zlib.crc32(f);
      n += Buffer.from(f).length > 0 ? 1 : 0;
    }
  }
  return x === 0.5 ? 0 : n;
};

/** Floor for bare JPEG: copy each frame out (owned); nothing else. */
const copyFloor: Runner = (frames, laps) => {
  let n = 0;
  for (let l = 0; l < laps; l++) {
    for (let i = 0; i < frames.length; i++) n += Buffer.from(frames[i]!).length > 0 ? 1 : 0;
  }
  return n;
};

/** One figure to take: a runner over chunk views covering `lapBytes` bytes per lap. */
interface Task {
  run: Runner;
  chunks: readonly Buffer[];
  lapBytes: number;
  /** Fail loudly when a decoder finds fewer frames than this per MB (it would be measuring nothing). */
  expectFramesPerMB?: number;
  laps: number;
  rates: number[];
}

function task(run: Runner, chunks: readonly Buffer[], lapBytes: number, expectFramesPerMB?: number): Task {
  return { run, chunks, lapBytes, expectFramesPerMB, laps: 1, rates: [] };
}

/**
 * Measure every task: warm each up (≥ 3 laps, ≥ 0.3 s) and size its runs to ~RUN_SECONDS, then
 * take REPEATS rounds, each running every task once in turn, so a burst of load from the shared
 * box hits all the figures of a round alike rather than one cell. Returns each task's median MB/s.
 */
function measureAll(tasks: Task[]): number[] {
  for (const t of tasks) {
    let rate = 0;
    const warmStart = performance.now();
    for (let w = 0; w < 3 || performance.now() - warmStart < 300; w++) {
      const t0 = performance.now();
      t.run(t.chunks, 1);
      rate = t.lapBytes / ((performance.now() - t0) / 1000);
    }
    t.laps = Math.max(1, Math.round((rate * RUN_SECONDS) / t.lapBytes));
  }
  for (let r = 0; r < REPEATS; r++) {
    for (const t of tasks) {
      gc();
      const t0 = performance.now();
      const frames = t.run(t.chunks, t.laps);
      const seconds = (performance.now() - t0) / 1000;
      const bytes = t.laps * t.lapBytes;
      if (t.expectFramesPerMB !== undefined && frames < (bytes / 1e6) * t.expectFramesPerMB * 0.98) {
        throw new Error(`${t.run.name || 'runner'} found ${frames} frames in ${bytes} bytes: not decoding`);
      }
      t.rates.push(bytes / 1e6 / seconds);
    }
  }
  return tasks.map((t) => {
    const sorted = [...t.rates].sort((x, y) => x - y);
    return sorted[Math.floor(sorted.length / 2)]!;
  });
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

const chunkName = (chunk: number): string => (chunk >= 1024 ? `${chunk / 1024} KB` : `${chunk} B`);

interface Cell {
  set: string;
  chunk: number;
  camf: number;
  jpeg: number;
  delim: number;
  idx: number;
  camfFloor: number;
  jpegFloor: number;
}

export default async function run(): Promise<void> {
  console.log(
    `decoder throughput, cycles of ≥ ${CYCLE_BYTES / 2 ** 20} MiB of whole frames pre-cut into chunks, ~${RUN_SECONDS} s runs, median of ${REPEATS}`,
  );
  console.log(machineNote());
  const sets = frameSets();
  const cells: Cell[] = [];
  for (const set of sets) {
    const enc = new CamfEncoder({ clockUs: () => 0 });
    const camf = cycleOf(set.frames.map((f) => enc.jpeg(f)));
    const jpeg = cycleOf(set.frames);
    const avg = set.frames.reduce((n, f) => n + f.length, 0) / set.frames.length;
    const framesPerMB = 1e6 / (avg + 32);
    // Floors run on the same frame bytes, whole (the JPEG inside each CAMF frame for CAMF).
    const tasks: Task[] = [
      task(copyCrcFloor, jpeg.views, jpeg.bytes.length),
      task(copyFloor, jpeg.views, jpeg.bytes.length),
    ];
    for (const chunk of CHUNKS) {
      const camfChunks = sliceInto(camf.bytes, chunk);
      const jpegChunks = sliceInto(jpeg.bytes, chunk);
      tasks.push(
        task(camfRunner, camfChunks, camf.bytes.length, framesPerMB * 0.9),
        task(jpegRunner, jpegChunks, jpeg.bytes.length, framesPerMB * 0.9),
        task(delimiterRunner, jpegChunks, jpeg.bytes.length),
        task(indexOfRunner, jpegChunks, jpeg.bytes.length),
      );
    }
    const rates = measureAll(tasks);
    CHUNKS.forEach((chunk, i) => {
      const [camfRate, jpegRate, delim, idx] = rates.slice(2 + 4 * i, 6 + 4 * i) as [
        number,
        number,
        number,
        number,
      ];
      cells.push({
        set: set.name,
        chunk,
        camf: camfRate,
        jpeg: jpegRate,
        delim,
        idx,
        camfFloor: rates[0]!,
        jpegFloor: rates[1]!,
      });
    });
  }

  console.log('\nthroughput, MB/s (floors: on whole frames, no chunking, so one figure per frame set):');
  printTable([
    ['frames', 'chunk', 'CAMF', 'JPEG', 'delimiter', 'indexOf', 'copy+crc floor', 'copy floor'],
    ...cells.map((c) => [
      c.set,
      chunkName(c.chunk),
      c.camf.toFixed(0),
      c.jpeg.toFixed(0),
      c.delim.toFixed(0),
      c.idx.toFixed(0),
      c.camfFloor.toFixed(0),
      c.jpegFloor.toFixed(0),
    ]),
  ]);

  console.log('\nratios (ours ÷ baseline; CAMF against the copy+crc floor, JPEG against the copy floor):');
  printTable([
    [
      'frames',
      'chunk',
      'CAMF/delim',
      'JPEG/delim',
      'CAMF/indexOf',
      'JPEG/indexOf',
      'CAMF/floor',
      'JPEG/floor',
    ],
    ...cells.map((c) => [
      c.set,
      chunkName(c.chunk),
      ratio(c.camf, c.delim),
      ratio(c.jpeg, c.delim),
      ratio(c.camf, c.idx),
      ratio(c.jpeg, c.idx),
      ratio(c.camf, c.camfFloor),
      ratio(c.jpeg, c.jpegFloor),
    ]),
  ]);

  console.log('\ntargets (slowdown = 64 KB MB/s ÷ 64 B MB/s, target ≤ 3×; absolute rates at 64 KB chunks):');
  const checks: string[][] = [
    ['frames', 'CAMF slowdown', 'JPEG slowdown', 'CAMF ≥ 1000 MB/s', 'JPEG ≥ 500 MB/s'],
  ];
  const verdict = (ok: boolean, text: string) => (ok ? `met ${text}` : `MISSED ${text}`);
  const at = (set: string, chunk: number) => cells.find((c) => c.set === set && c.chunk === chunk)!;
  for (const set of sets) {
    const big = at(set.name, 64 * 1024);
    const small = at(set.name, 64);
    checks.push([
      set.name,
      verdict(big.camf / small.camf <= 3, ratio(big.camf, small.camf)),
      verdict(big.jpeg / small.jpeg <= 3, ratio(big.jpeg, small.jpeg)),
      verdict(big.camf >= 1000, `(${big.camf.toFixed(0)})`),
      verdict(big.jpeg >= 500, `(${big.jpeg.toFixed(0)})`),
    ]);
  }
  printTable(checks);

  // ≥ 5× the delimiter parser, at every chunk size. The last column is the most any parser that
  // looks at every FF could reach: the bare indexOf sweep (no copies, no checks) ÷ the delimiter parser.
  console.log('\n≥ 5× the delimiter parser, per chunk size (ceiling = bare indexOf sweep ÷ delimiter):');
  printTable([
    ['frames', 'chunk', 'CAMF', 'JPEG', 'ceiling'],
    ...cells.map((c) => [
      c.set,
      chunkName(c.chunk),
      verdict(c.camf >= 5 * c.delim, ratio(c.camf, c.delim)),
      verdict(c.jpeg >= 5 * c.delim, ratio(c.jpeg, c.delim)),
      ratio(c.idx, c.delim),
    ]),
  ]);

  correctness();

  console.log('\nCRC-32 (the decoder uses zlib.crc32 for payloads, the JS table for 24-byte headers):');
  crcTable();
}
