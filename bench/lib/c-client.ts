/**
 * The C MJPEG latency client (`bench/c/mjpeg_latency_client.c`): built on first
 * use with `gcc -O2` into a temp dir, run as a child process that reads every
 * connection with epoll in one thread. See the C file for its stdin/stdout protocol.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = fileURLToPath(new URL('../c/mjpeg_latency_client.c', import.meta.url));

export type CBuild = { ok: true; binary: string } | { ok: false; reason: string };

let build: Promise<CBuild> | undefined;

/** Compiles the client once per process; `ok: false` says why it could not (e.g. no gcc). */
export function buildCClient(): Promise<CBuild> {
  build ??= new Promise((resolve) => {
    const binary = join(mkdtempSync(join(tmpdir(), 'cam-gateway-bench-')), 'mjpeg_latency_client');
    execFile('gcc', ['-O2', '-Wall', '-o', binary, SOURCE], (err, _stdout, stderr) => {
      if (!err) resolve({ ok: true, binary });
      else if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        resolve({ ok: false, reason: 'gcc not found' });
      else resolve({ ok: false, reason: `gcc failed: ${stderr.trim().split('\n')[0] ?? err.message}` });
    });
  });
  return build;
}

export interface CClientResult {
  clients: number;
  failedClients: number;
  firstError: string;
  /** Window frames received, summed over clients, with their frame-added → last-byte-read latency. */
  latencyNs: number[];
  delivered: number;
  deliveredBytes: number;
  /** The client's CPU (user + system) over its whole run, per part read, µs. */
  cpuPerPartUs: number;
}

/** One run of the C client against `127.0.0.1:port`. */
export class CClientRun {
  readonly #child: ChildProcess;
  #out = '';
  #exited: Promise<number | null>;

  constructor(binary: string, port: number, path: string, clients: number) {
    this.#child = spawn(binary, [String(port), path, String(clients)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.#child.stdout!.setEncoding('latin1');
    this.#child.stdout!.on('data', (s: string) => {
      this.#out += s;
    });
    this.#exited = new Promise((resolve) => {
      // 'close', not 'exit': with many clients the JSON is large and may still be in the pipe at exit.
      this.#child.once('close', (code) => resolve(code));
      this.#child.once('error', () => resolve(-1));
    });
  }

  /** Resolves once every connection has a complete part (or failed). */
  async ready(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!this.#out.startsWith('ready\n')) {
      if (this.#child.exitCode !== null) throw new Error(`C client exited (code ${this.#child.exitCode})`);
      if (performance.now() > deadline)
        throw new Error(`timed out after ${timeoutMs} ms waiting for the C client's connections`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Ends the run: frames with sequence numbers in [from, to) are the window. */
  async stop(from: number, to: number): Promise<CClientResult> {
    this.#child.stdin!.end(`stop ${from} ${to}\n`);
    const code = await this.#exited;
    if (code !== 0) throw new Error(`C client exited with code ${code}`);
    const json = this.#out.slice(this.#out.indexOf('\n') + 1);
    return JSON.parse(json) as CClientResult;
  }

  kill(): void {
    if (this.#child.exitCode === null) this.#child.kill();
  }
}
