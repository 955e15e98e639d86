/**
 * What recording costs: the gateway with 4 cameras × 30 fps × 30 KB frames (the size of a VGA
 * JPEG from an ESP32-CAM at quality 10–12), without and with `--save`, side by side in the same
 * process and interleaved (BENCH_RUNS times, default 3; medians shown): the server's CPU over the
 * window (its threads included: the file writes run on libuv's pool) and the live stream's latency,
 * frame added → last byte read by 4 clients of the first camera (the C epoll client when gcc is
 * there). The recorded files are then read back (frames per camera against frames produced), so the
 * "recording" runs are known to have recorded. Targets: ≤ 10 % more CPU, ≤ 0.1 ms more p50.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MkvOutput, MkvWriter } from '../src/sinks/recording/mkv.js';
import { readMkvHead } from '../src/sinks/recording/mkv-read.js';
import { buildCClient } from './lib/c-client.js';
import { type FastRunResult, runFastClients } from './lib/fast-clients.js';
import { benchSeconds, machineNote, percentile, printTable } from './lib/harness.js';
import { StampedFrames } from './lib/stamped-frame.js';

const CAMERAS = 4;
const FPS = 30;
const FRAME_BYTES = 30_000;
const CLIENTS = 4;
const TARGET_CPU = 0.1;
const TARGET_P50_MS = 0.1;

/** Not recording; writing the same frames bare into files (the floor); recording (`--save`). */
type Mode = 'off' | 'bare' | 'on';
const MODES: readonly Mode[] = ['off', 'bare', 'on'];

interface Sample {
  cpu: number;
  system: number;
  p50: number;
  p90: number;
  p99: number;
  fanoutP50: number;
  delivered: number;
  /** Recording runs: frames in the files, per camera (min over cameras), and frames produced by the window's end. */
  recordedPerCamera?: number;
  producedByEnd: number;
  recordedBytes?: number;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function runs(): number {
  const n = Number(process.env.BENCH_RUNS ?? 3);
  if (!Number.isInteger(n) || n < 1)
    throw new TypeError(`BENCH_RUNS must be an integer ≥ 1, got "${process.env.BENCH_RUNS}"`);
  return n;
}

/** Frames recorded per camera (from each finished file's head) and the bytes of every file. */
async function readBack(dir: string): Promise<{ perCamera: number[]; bytes: number }> {
  const perCamera: number[] = [];
  let bytes = 0;
  for (const camera of readdirSync(dir)) {
    let frames = 0;
    for (const entry of readdirSync(join(dir, camera), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.mkv')) continue;
      const handle = await open(join(entry.parentPath, entry.name));
      const head = Buffer.alloc(4096);
      await handle.read(head, 0, head.length, 0);
      bytes += (await handle.stat()).size;
      await handle.close();
      const facts = readMkvHead(head);
      if (facts?.frames === undefined) throw new Error(`${entry.name} was not finished`);
      frames += facts.frames;
    }
    perCamera.push(frames);
  }
  return { perCamera, bytes };
}

function sample(r: FastRunResult): Sample {
  return {
    cpu: r.serverCpuSeconds,
    system: r.serverSystemSeconds,
    p50: percentile(r.latenciesMs, 50),
    p90: percentile(r.latenciesMs, 90),
    p99: percentile(r.latenciesMs, 99),
    fanoutP50: percentile(r.fanoutMs, 50),
    delivered: r.deliveredShare,
    producedByEnd: r.producedByEnd,
  };
}

/**
 * The Matroska writer's own CPU per frame, in this process, without I/O: the JavaScript part of
 * recording (median of 5 rounds of 100 000 frames, batches of 8 as the recorder writes them).
 */
function writerMicrosPerFrame(): number {
  const frames = new StampedFrames(FRAME_BYTES);
  const jpegs = Array.from({ length: 16 }, (_, i) => frames.make(i));
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    let out: MkvOutput = { append: [], patches: [] };
    const writer = new MkvWriter({ start: 1e9, width: 640, height: 480 }, out);
    const n = 100_000;
    const from = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      writer.add(jpegs[i % 16]!, 1e9 + i / FPS, out);
      if (i % 8 === 7) out = { append: [], patches: [] };
    }
    const used = process.cpuUsage(from);
    rounds.push((used.user + used.system) / n);
  }
  return median(rounds);
}

export default async function run(): Promise<void> {
  const seconds = benchSeconds(10);
  const count = runs();
  const build = await buildCClient();
  console.log(
    `recording: ${CAMERAS} cameras × ${FPS} fps × ${FRAME_BYTES / 1000} KB frames, ${CLIENTS} clients on the first camera ` +
      `(${build.ok ? 'C epoll client' : `Node client: ${build.reason}`}), ${seconds} s windows, median of ${count} interleaved runs`,
  );
  console.log(`before: ${machineNote()}`);
  const samples: Record<Mode, Sample[]> = { off: [], bare: [], on: [] };
  for (let i = 0; i < count; i++) {
    for (const mode of MODES) {
      const dir = mode === 'off' ? undefined : mkdtempSync(join(tmpdir(), 'cam-gateway-bench-rec-'));
      try {
        const r = await runFastClients({
          kind: 'ours',
          clients: CLIENTS,
          fps: FPS,
          frameBytes: FRAME_BYTES,
          seconds,
          cameras: CAMERAS,
          ...(mode === 'on' ? { saveDir: dir } : mode === 'bare' ? { bareWriteDir: dir } : {}),
          ...(build.ok ? { cClientBinary: build.binary } : {}),
        });
        const s = sample(r);
        if (mode === 'on' && dir) {
          const back = await readBack(dir);
          if (back.perCamera.length !== CAMERAS)
            throw new Error(`${back.perCamera.length} cameras recorded, not ${CAMERAS}`);
          s.recordedPerCamera = Math.min(...back.perCamera);
          s.recordedBytes = back.bytes;
        }
        samples[mode].push(s);
      } finally {
        if (dir) rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  console.log(`after:  ${machineNote()}`);

  const med = (mode: Mode, pick: (s: Sample) => number): number => median(samples[mode].map(pick));
  const ms = (x: number): string => `${x.toFixed(3)} ms`;
  const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;
  const [cpuOff, cpuBare, cpuOn] = MODES.map((m) => med(m, (s) => s.cpu)) as [number, number, number];
  const cpuRatio = cpuOn / cpuOff - 1;
  const p50Off = med('off', (s) => s.p50);
  const p50On = med('on', (s) => s.p50);
  const latencyRow = (name: string, pick: (s: Sample) => number, target = ''): string[] => {
    const [a, b, c] = MODES.map((m) => med(m, pick)) as [number, number, number];
    return [name, ms(a), ms(b), ms(c), `${c - a >= 0 ? '+' : ''}${(c - a).toFixed(3)} ms`, target];
  };
  printTable([
    ['', 'not recording', 'bare file writes', 'recording (--save)', 'recording − not', 'target'],
    [
      `server CPU per ${seconds} s window`,
      `${cpuOff.toFixed(3)} s`,
      `${cpuBare.toFixed(3)} s (${pct(cpuBare / cpuOff - 1)})`,
      `${cpuOn.toFixed(3)} s`,
      pct(cpuRatio),
      `≤ +${TARGET_CPU * 100} %`,
    ],
    ['  of which in the kernel', ...MODES.map((m) => `${med(m, (s) => s.system).toFixed(3)} s`), '', ''],
    latencyRow('live stream latency p50', (s) => s.p50, `≤ +${TARGET_P50_MS} ms`),
    latencyRow('live stream latency p90', (s) => s.p90),
    latencyRow('live stream latency p99', (s) => s.p99),
    latencyRow('server fan-out per frame p50', (s) => s.fanoutP50),
    [
      'frames delivered to the clients',
      ...MODES.map((m) => `${(med(m, (s) => s.delivered) * 100).toFixed(2)} %`),
      '',
      '',
    ],
  ]);
  console.log(
    `the Matroska writer alone (no I/O, this process): ${writerMicrosPerFrame().toFixed(2)} µs of CPU per frame`,
  );
  console.log(
    `recording over bare writes of the same bytes: ${pct(cpuOn / cpuBare - 1)} CPU ` +
      `(${(((cpuOn - cpuBare) / seconds) * 1000).toFixed(1)} ms per second for ${CAMERAS * FPS} frames/s)`,
  );
  for (const [i, s] of samples.on.entries()) {
    console.log(
      `recording run ${i + 1}: ${s.recordedPerCamera} frames per camera in the files (≥ ${s.producedByEnd} produced by the window's end), ` +
        `${((s.recordedBytes ?? 0) / 1e6).toFixed(1)} MB in all`,
    );
  }
  const cpuOk = cpuRatio <= TARGET_CPU;
  const p50Ok = p50On - p50Off <= TARGET_P50_MS;
  console.log(
    `verdict: CPU ${cpuOk ? 'within' : 'OVER'} +${TARGET_CPU * 100} % (${(cpuRatio * 100).toFixed(1)} %), ` +
      `p50 ${p50Ok ? 'within' : 'OVER'} +${TARGET_P50_MS} ms (${(p50On - p50Off).toFixed(3)} ms)`,
  );
}
