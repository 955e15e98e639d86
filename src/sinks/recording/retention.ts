/**
 * `--keep`: deletes the oldest finished files (segments, clips, timelapse
 * frames alike) while the folder holds more than the size limit, and every
 * file that ended longer ago than the age limit. Runs after writes that took
 * the total over the limit and once a minute; one pass at a time. Empty day
 * folders go with their last file.
 */
import { rm, rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Catalog, RecordedFile } from './catalog.js';
import { errorText } from './errors.js';
import type { KeepLimit } from './limits.js';

export interface RetentionOptions {
  dir: string;
  catalog: Catalog;
  keep: KeepLimit;
  /** Epoch seconds now. */
  now(): number;
  /** A file was deleted (its bytes are free again). */
  onDeleted(file: RecordedFile): void;
  /** A file could not be deleted. */
  onError(message: string): void;
}

/** How often the age limit is applied without any write asking, ms. */
const AGE_CHECK_MS = 60_000;

export class Retention {
  readonly #o: RetentionOptions;
  #running: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #deleted = 0;

  constructor(options: RetentionOptions) {
    this.#o = options;
  }

  /** Files deleted so far. */
  get deleted(): number {
    return this.#deleted;
  }

  start(): void {
    this.#timer = setInterval(() => void this.enforce(), AGE_CHECK_MS);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  /** True when the size limit is exceeded (cheap: recorders ask after every write). */
  get over(): boolean {
    const { bytes } = this.#o.keep;
    return bytes !== undefined && this.#o.catalog.totalBytes > bytes;
  }

  /** Delete what the limits say must go; resolves when the pass (and any asked for meanwhile) is done. */
  enforce(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        await this.#pass();
      } while (this.#again);
    })().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  #mustGo(file: RecordedFile): boolean {
    const { seconds } = this.#o.keep;
    return this.over || (seconds !== undefined && file.end < this.#o.now() - seconds);
  }

  async #pass(): Promise<void> {
    const { catalog, dir } = this.#o;
    for (;;) {
      const file = catalog.oldestClosed();
      if (!file || !this.#mustGo(file)) return;
      const abs = join(dir, file.path);
      let failed: unknown;
      await rm(abs, { force: true }).catch((err: unknown) => {
        failed = err;
      });
      // Unlisted only once gone from the disk (a file that cannot be deleted is unlisted too, or it would block the rest).
      catalog.remove(file);
      if (failed !== undefined) {
        this.#o.onError(`cannot delete ${abs}: ${errorText(failed)}`);
        continue;
      }
      this.#deleted++;
      this.#o.onDeleted(file);
      // The day folder (and a clips/timelapse folder) goes with its last file; a non-empty one stays.
      await rmdir(dirname(abs)).catch(() => {});
    }
  }
}
