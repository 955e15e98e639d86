/**
 * Keeps recording from filling the disk: below the minimum free space
 * (`--min-free`) recording pauses, with one warning, and resumes by itself when
 * space returns. Free space is asked of the file system (`statfs`) every few
 * seconds; in between, what the recorders wrote is subtracted, so a fast writer
 * cannot run far past the limit before the next probe.
 */
import { statfs } from 'node:fs/promises';
import type { Logger } from '../../log.js';
import { errorText } from './errors.js';
import { formatBytes, type MinFree, minFreeBytes } from './limits.js';

/** Free and total bytes of the file system holding `dir` (for a non-root user: what it may use). */
export type FreeSpaceProbe = (dir: string) => Promise<{ free: number; total: number }>;

export const statfsProbe: FreeSpaceProbe = async (dir) => {
  const s = await statfs(dir);
  return { free: s.bavail * s.bsize, total: s.blocks * s.bsize };
};

export interface DiskGuardOptions {
  dir: string;
  minFree: MinFree;
  probe: FreeSpaceProbe;
  /** Probe this often, ms. */
  intervalMs: number;
  log: Logger;
  /** A probe failed (reported like a write error). */
  onError(message: string): void;
}

export class DiskGuard {
  readonly #o: DiskGuardOptions;
  #free = Number.POSITIVE_INFINITY;
  #total = 0;
  #need = 0;
  #written = 0;
  #pausedSince: number | null = null;
  #timer: NodeJS.Timeout | undefined;
  #probing: Promise<void> | undefined;

  constructor(options: DiskGuardOptions) {
    this.#o = options;
  }

  /** Probe now, then every `intervalMs`. */
  async start(): Promise<void> {
    await this.check();
    this.#timer = setInterval(() => void this.check(), this.#o.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#probing;
  }

  get paused(): boolean {
    return this.#pausedSince !== null;
  }

  /** Epoch seconds since when recording is paused, null while it runs. */
  get pausedSince(): number | null {
    return this.#pausedSince;
  }

  /** Free bytes as last probed, less what was written since. */
  get free(): number {
    return this.#free - this.#written;
  }

  get total(): number {
    return this.#total;
  }

  /** The free space recording keeps, bytes. */
  get need(): number {
    return this.#need;
  }

  /** Count bytes just written (negative: freed); pauses at once if free space fell below the minimum. */
  used(bytes: number): void {
    this.#written += bytes;
    if (!this.paused && this.free < this.#need) this.#pause();
  }

  /** Ask the file system now (one probe at a time). */
  check(): Promise<void> {
    this.#probing ??= this.#probe().finally(() => {
      this.#probing = undefined;
    });
    return this.#probing;
  }

  async #probe(): Promise<void> {
    let space: { free: number; total: number };
    try {
      space = await this.#o.probe(this.#o.dir);
    } catch (err) {
      this.#o.onError(`cannot read the free space of ${this.#o.dir}: ${errorText(err)}`);
      return;
    }
    this.#free = space.free;
    this.#total = space.total;
    this.#written = 0;
    this.#need = minFreeBytes(this.#o.minFree, space.total);
    if (this.free < this.#need) {
      if (!this.paused) this.#pause();
    } else if (this.paused) {
      this.#pausedSince = null;
      this.#o.log.info(`recording resumed: ${formatBytes(this.free)} free on ${this.#o.dir}`);
    }
  }

  #pause(): void {
    this.#pausedSince = Date.now() / 1000;
    this.#o.log.warn(
      `recording paused: ${formatBytes(Math.max(0, this.free))} free on ${this.#o.dir}, below the ${formatBytes(this.#need)} to keep free (--min-free); it resumes by itself when space returns`,
    );
  }
}
