/**
 * Runs a benchmark's server in a child process (`server-child.ts`) and talks
 * to it over IPC: start producing, take CPU/RSS/sequence marks, stop.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

/**
 * `floor`: not a contender but the measuring stick: the same multipart bytes
 * written by a bare `net` server (no HTTP stack, no per-client logic), i.e.
 * what loopback, the kernel and the client process cost on this machine.
 */
export type ServerKind = 'ours' | 'baseline' | 'floor';

/** Where profiles go (git-ignored). */
export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

export const SERVER_LABEL: Record<ServerKind, string> = {
  ours: 'cam-gateway',
  baseline: 'mjpeg-server (npm)',
  floor: 'bare net floor',
};

export type ChildRequest =
  | { cmd: 'produce' }
  /** `gc`: collect garbage first; `resetPeak`: start a new peak-RSS period after this mark. */
  | { cmd: 'mark'; gc?: boolean; resetPeak?: boolean }
  | { cmd: 'stop' };

export interface Mark {
  cmd: 'mark';
  /** Sequence number the next produced frame will get. */
  seq: number;
  cpu: NodeJS.CpuUsage;
  rss: number;
  /** The full `process.memoryUsage()` (heap, external, arrayBuffers) at the mark. */
  memory: NodeJS.MemoryUsage;
  /** Highest RSS sampled (every 250 ms) since the last mark with `resetPeak`. */
  peakRss: number;
  clients: number;
  /** The gateway only: its stream clients per pacing mode (`fast`, `paced`, `ahead`). */
  pacing?: Record<string, number>;
  /**
   * Server-side fan-out time of each frame produced since the previous mark, ms:
   * from just before the frame is handed to the server until every client's
   * write of it has been issued (the gateway writes inside `ring.add()`; the
   * baseline's corked writes go out on the next tick, so both are timed at the
   * next tick).
   */
  fanoutMs: number[];
}

export type ChildReply = { cmd: 'ready'; port: number } | { cmd: 'producing' } | Mark | { cmd: 'stopped' };

export interface BenchServerOptions {
  fps: number;
  frameBytes: number;
  /** Gateway only: cameras fed the same frames (the clients watch the first); default 1. */
  cameras?: number;
  /** Gateway only: record every camera into this folder (`--save`). */
  saveDir?: string;
  /** Gateway only: write every camera's frames, bare (no container), into files in this folder. */
  bareWriteDir?: string;
  /** The gateway's stream pacing (`--pacing`); default on (env `BENCH_PACING=off` turns it off). */
  pacing?: boolean;
}

export class BenchServer {
  private constructor(
    readonly kind: ServerKind,
    readonly port: number,
    readonly child: ChildProcess,
  ) {}

  static async start(kind: ServerKind, options: BenchServerOptions): Promise<BenchServer> {
    const child = fork(fileURLToPath(new URL('./server-child.ts', import.meta.url)), [], {
      // BENCH_PROFILE=1: write a V8 CPU profile of each server run to bench/results/ (open in Chrome DevTools).
      execArgv: [
        '--expose-gc',
        '--import',
        'tsx',
        ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${RESULTS_DIR}`] : []),
      ],
      env: {
        ...process.env,
        BENCH_SERVER: kind,
        BENCH_FPS: String(options.fps),
        BENCH_FRAME_BYTES: String(options.frameBytes),
        BENCH_CAMERAS: String(options.cameras ?? 1),
        ...(options.saveDir !== undefined ? { BENCH_SAVE_DIR: options.saveDir } : {}),
        ...(options.bareWriteDir !== undefined ? { BENCH_BARE_WRITE_DIR: options.bareWriteDir } : {}),
        // `BENCH_PACING=off npm run bench -- fanout`: any benchmark with the gateway's pacing off.
        BENCH_PACING: options.pacing === false || process.env.BENCH_PACING === 'off' ? 'off' : 'on',
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = await nextReply(child, 'ready');
    return new BenchServer(kind, ready.port, child);
  }

  async produce(): Promise<void> {
    this.child.send({ cmd: 'produce' } satisfies ChildRequest);
    await nextReply(this.child, 'producing');
  }

  async mark(options: { gc?: boolean; resetPeak?: boolean } = {}): Promise<Mark> {
    this.child.send({ cmd: 'mark', ...options } satisfies ChildRequest);
    return nextReply(this.child, 'mark');
  }

  async stop(): Promise<void> {
    if (!this.child.connected) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ cmd: 'stop' } satisfies ChildRequest);
    await nextReply(this.child, 'stopped');
    await Promise.race([exited, delay(2000)]);
    if (this.child.exitCode === null) this.child.kill();
  }
}

function nextReply<K extends ChildReply['cmd']>(
  child: ChildProcess,
  cmd: K,
): Promise<Extract<ChildReply, { cmd: K }>> {
  return childMessage(child, cmd, 'bench server');
}

/** The next IPC message `{cmd}` from a benchmark child; rejects naming `who` if the child exits first. */
export function childMessage<R extends { readonly cmd: string }>(
  child: ChildProcess,
  cmd: string,
  who: string,
): Promise<R> {
  return new Promise((resolve, reject) => {
    const onMessage = (msg: R): void => {
      if (msg.cmd !== cmd) return;
      cleanup();
      resolve(msg);
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`${who} exited (code ${code}) while waiting for "${cmd}"`));
    };
    const cleanup = (): void => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Poll `condition` until true; throws naming `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(20);
  }
}

/** `BENCH_SECONDS` from the environment, else `fallback`. */
export function benchSeconds(fallback: number): number {
  const raw = process.env.BENCH_SECONDS;
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new TypeError(`BENCH_SECONDS must be a number > 0, got "${raw}"`);
  return n;
}

export function cpuSeconds(from: NodeJS.CpuUsage, to: NodeJS.CpuUsage): number {
  return (to.user - from.user + to.system - from.system) / 1e6;
}

/** The middle value (the mean of the two middle ones for an even count); NaN for none. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nearest-rank percentile of an ascending-sorted array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function machineNote(): string {
  const [l1, l5] = loadavg();
  return `node ${process.version}, load average ${l1!.toFixed(2)} / ${l5!.toFixed(2)} (1 / 5 min) on a shared 2-core box`;
}

/** Print an aligned table: first row is the header. */
export function printTable(rows: readonly (readonly string[])[]): void {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]): string =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  console.log(line(rows[0]!));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows.slice(1)) console.log(line(r));
}

/** "ours / baseline" as a ratio string, e.g. `0.42×`. */
export function ratio(ours: number, baseline: number): string {
  if (!Number.isFinite(ours) || !Number.isFinite(baseline) || baseline === 0) return 'n/a';
  return `${(ours / baseline).toFixed(2)}×`;
}
