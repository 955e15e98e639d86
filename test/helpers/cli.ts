/**
 * Running the CLI as a user does (`npx cam-gateway …`, spawned from the repo
 * root) and waiting for what it prints, plus small polling helpers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MultipartParser, type MultipartPart } from './multipart.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Poll `check` until it returns a truthy value or the deadline passes (then throw naming `what`). */
export async function until<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 5000,
  everyMs = 10,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export interface CliRun {
  child: ChildProcess;
  /** Everything printed so far. */
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves with the first match of `pattern` in stdout+stderr. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (signal → null). */
  exited: Promise<number | null>;
  /** Send a signal and resolve with the exit code and how long the exit took (ms). */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; ms: number }>;
}

/**
 * npm 11 runs a package's own bin through an npx cache entry linking to the repo
 * (`~/.npm/_npx/<sha512(path)[0:16]>`). If the first such run failed (its
 * `prepare` build broke), npm leaves the entry without a package.json and every
 * later `npx cam-gateway` fails with ENOENT. Drop such a broken entry so npx rebuilds it.
 */
export function repairNpxCache(): void {
  const cache = process.env.npm_config_cache ?? join(homedir(), '.npm');
  const entry = join(cache, '_npx', createHash('sha512').update(REPO_ROOT).digest('hex').slice(0, 16));
  if (existsSync(entry) && !existsSync(join(entry, 'package.json')))
    rmSync(entry, { recursive: true, force: true });
}

/**
 * Start `npx cam-gateway ...args` in the repo root, as a user does (npx runs
 * this package's own bin, which needs `npm run build` first — `npm test` does that).
 * `launcher` (with `via: 'node'`) runs node through a command that execs it in the
 * same process, e.g. `['prlimit', '--nofile=64:64']`.
 */
export function startCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  via: 'npx' | 'node' = 'npx',
  launcher: readonly string[] = [],
): CliRun {
  // `node bin/cam-gateway.js` is the same program without npm's ~1.5 s start-up, for the many short runs.
  if (via === 'npx') repairNpxCache();
  const [command, prefix] =
    via === 'npx'
      ? ['npx', ['cam-gateway']]
      : launcher.length > 0
        ? [
            launcher[0]!,
            [...launcher.slice(1), process.execPath, resolve(REPO_ROOT, 'bin', 'cam-gateway.js')],
          ]
        : [process.execPath, [resolve(REPO_ROOT, 'bin', 'cam-gateway.js')]];
  const child = spawn(command, [...prefix, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
    for (const l of listeners) l();
  });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
    for (const l of listeners) l();
  });
  const exited = new Promise<number | null>((resolveExit) => {
    child.once('exit', (code) => {
      for (const l of listeners) l();
      resolveExit(code);
    });
  });
  let exitedNow = false;
  void exited.then(() => {
    exitedNow = true;
  });
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      // npm's own config warnings (e.g. `npm warn Unknown user config`) are not the gateway's output.
      return stderr.replace(/^npm warn .*\n/gm, '');
    },
    exited,
    waitFor(pattern, timeoutMs = 25_000) {
      return new Promise((resolveMatch, reject) => {
        const check = (): void => {
          const m = `${stdout}\n${stderr}`.match(pattern);
          if (m) {
            done();
            resolveMatch(m);
          } else if (exitedNow) {
            done();
            reject(new Error(`cam-gateway exited before printing ${pattern}:\n${stdout}\n${stderr}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(`cam-gateway did not print ${pattern} within ${timeoutMs} ms:\n${stdout}\n${stderr}`),
          );
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      if (exitedNow) return { code: await exited, ms: 0 };
      const t0 = performance.now();
      // Signal the gateway itself (npx's child), as Ctrl-C in a terminal does; npx then exits with its code.
      const pid = via === 'node' ? child.pid : gatewayPid(child.pid!);
      if (pid) process.kill(pid, signal);
      else child.kill(signal);
      const code = await exited;
      return { code, ms: performance.now() - t0 };
    },
  };
}

/** The pid of the node process running bin/cam-gateway.js under npx (pid `root`), if found. */
export function gatewayPid(root: number): number | undefined {
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const [argv0 = '', argv1 = ''] = cmdline.split('\0');
    if (pid !== root && /(^|\/)node$/.test(argv0) && argv1.includes('cam-gateway')) return pid;
    try {
      const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
      if (children) queue.push(...children.split(/\s+/).map(Number));
    } catch {
      // the process just exited
    }
  }
  return undefined;
}

/** Run the CLI to completion. */
export async function runCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  via: 'npx' | 'node' = 'npx',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = startCli(args, env, via);
  const code = await run.exited;
  return { code, stdout: run.stdout, stderr: run.stderr };
}

export interface ReceivedPart extends MultipartPart {
  /** performance.now() when the part was complete. */
  at: number;
}

export interface StreamWatch {
  readonly status: number;
  readonly parts: ReceivedPart[];
  /** Resolves with the first part (from index `from` on) for which `match` is true. */
  waitForPart(
    what: string,
    match: (part: ReceivedPart) => boolean,
    timeoutMs?: number,
    from?: number,
  ): Promise<ReceivedPart>;
  close(): void;
}

/** Open an MJPEG stream over a real socket and parse it strictly as it arrives. */
export function watchStream(url: string): Promise<StreamWatch> {
  return new Promise((resolveWatch, reject) => {
    const req = httpGet(url, (res) => {
      const parser = new MultipartParser('frame');
      const parts: ReceivedPart[] = [];
      const waiters = new Set<() => void>();
      let failure: Error | undefined;
      res.on('data', (chunk: Buffer) => {
        try {
          for (const p of parser.push(chunk)) parts.push({ ...p, at: performance.now() });
        } catch (err) {
          failure = err as Error;
        }
        for (const w of waiters) w();
      });
      res.on('error', () => {});
      resolveWatch({
        status: res.statusCode ?? 0,
        parts,
        waitForPart(what, match, timeoutMs = 5000, from = 0) {
          return new Promise((resolvePart, rejectPart) => {
            const check = (): void => {
              if (failure) {
                done();
                rejectPart(failure);
                return;
              }
              for (let i = from; i < parts.length; i++) {
                if (match(parts[i]!)) {
                  done();
                  resolvePart(parts[i]!);
                  return;
                }
              }
            };
            const timer = setTimeout(() => {
              done();
              rejectPart(
                new Error(`no ${what} on the stream within ${timeoutMs} ms (${parts.length} parts)`),
              );
            }, timeoutMs);
            const done = (): void => {
              clearTimeout(timer);
              waiters.delete(check);
            };
            waiters.add(check);
            check();
          });
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
  });
}
