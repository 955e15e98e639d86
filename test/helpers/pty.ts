/**
 * Real pseudo-terminals for integration tests: `socat` links a "device" end
 * (what the gateway opens as its serial port) to a "host" end (where the test
 * plays the camera). Killing socat is an unplug: both links disappear.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { constants, existsSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';

export interface Pty {
  /** The end the gateway opens, e.g. `/tmp/x/dev`. */
  readonly dev: string;
  /** The end the test writes device bytes into. */
  readonly host: string;
  readonly process: ChildProcess;
  /** Kill socat (an unplug) and wait until it exited and its links are gone. */
  close(): Promise<void>;
}

async function pollFor(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A socat process: started, with its stderr kept, and a promise of its exit. */
interface Socat {
  readonly process: ChildProcess;
  readonly exited: Promise<void>;
  readonly dead: () => boolean;
}

/** Start socat with `args`; resolves once `ready()` holds (throws with its stderr if it exits first). */
async function startSocat(args: readonly string[], what: string, ready: () => boolean): Promise<Socat> {
  const child = spawn('socat', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let dead = false;
  void exited.then(() => {
    dead = true;
  });
  await pollFor(`${what} (${stderr})`, () => dead || ready(), 5000);
  if (dead) throw new Error(`socat exited: ${stderr}`);
  return { process: child, exited, dead: () => dead };
}

/** Start socat with links `<dir>/<name>` (device end) and `<dir>/<name>-host`; resolves once both exist. */
export async function openPty(dir: string, name = 'dev'): Promise<Pty> {
  const dev = join(dir, name);
  const host = join(dir, `${name}-host`);
  const socat = await startSocat(
    ['-d', '-d', `pty,raw,echo=0,link=${dev}`, `pty,raw,echo=0,link=${host}`],
    `socat links ${dev}`,
    () => existsSync(dev) && existsSync(host),
  );
  return {
    dev,
    host,
    process: socat.process,
    async close() {
      if (!socat.dead()) socat.process.kill('SIGTERM');
      await socat.exited;
      await pollFor(`socat links removed`, () => !existsSync(dev) && !existsSync(host), 5000);
    },
  };
}

/**
 * Writes bytes into a pty's host end as a UART at `bytesPerSecond` would
 * (default 200 000 = 2 Mbaud), in timed chunks: each tick sends what is due.
 */
export class PacedWriter {
  readonly #bytesPerSecond: number;
  readonly #tickMs: number;
  #fh: FileHandle | undefined;
  #closed = false;

  private constructor(bytesPerSecond: number, tickMs: number) {
    this.#bytesPerSecond = bytesPerSecond;
    this.#tickMs = tickMs;
  }

  static async open(path: string, bytesPerSecond = 200_000, tickMs = 10): Promise<PacedWriter> {
    const writer = new PacedWriter(bytesPerSecond, tickMs);
    writer.#fh = await open(path, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
    return writer;
  }

  /** Send `data` paced; resolves when all of it was written (or the writer was closed / the pty vanished). */
  async write(data: Uint8Array): Promise<void> {
    const t0 = performance.now();
    let sent = 0;
    while (sent < data.length && !this.#closed) {
      const due = Math.min(data.length, Math.floor(((performance.now() - t0) / 1000) * this.#bytesPerSecond));
      while (sent < due && !this.#closed) {
        try {
          const { bytesWritten } = await this.#fh!.write(data, sent, due - sent);
          sent += bytesWritten;
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'EAGAIN') break; // pty buffer full: the reader is behind (or not there yet)
          if (code === 'EIO' || code === 'EBADF') return; // the pty went away
          throw err;
        }
      }
      await new Promise((r) => setTimeout(r, this.#tickMs));
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const fh = this.#fh;
    this.#fh = undefined;
    await fh?.close().catch(() => {});
  }
}

/**
 * A pty whose device end never reads: socat copies a FIFO into it one way only (`-u`), so what the
 * gateway writes to `<dir>/<name>` piles up in the kernel until its writes fail with `EAGAIN` (a
 * device that stopped reading its input). `device` plays the camera: it writes into the FIFO,
 * paced like a UART, and socat hands that to the gateway.
 */
export async function openDeafPty(
  dir: string,
  name = 'deaf',
  bytesPerSecond = 200_000,
): Promise<{ dev: string; device: PacedWriter; close(): Promise<void> }> {
  const dev = join(dir, name);
  const fifo = join(dir, `${name}.fifo`);
  execFileSync('mkfifo', [fifo]);
  // Opened first (read-write: it never blocks), so socat's read-only open of the FIFO returns at once.
  const device = await PacedWriter.open(fifo, bytesPerSecond);
  const socat = await startSocat(
    ['-u', `PIPE:${fifo}`, `pty,raw,echo=0,link=${dev}`],
    `socat link ${dev}`,
    () => existsSync(dev),
  );
  return {
    dev,
    device,
    async close() {
      await device.close();
      if (!socat.dead()) socat.process.kill('SIGTERM');
      await socat.exited;
      await pollFor('socat link removed', () => !existsSync(dev), 5000);
    },
  };
}
