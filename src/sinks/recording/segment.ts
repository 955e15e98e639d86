/**
 * One segment file being written: a Matroska writer (`mkv.ts`) over a file
 * handle. Frames are added synchronously (`add`), then written in one `writev`
 * per batch (`flush`: no copy of the JPEGs, the writes run on libuv's thread
 * pool), followed by the few patches (the size of a cluster just closed). The
 * data reaches the disk (`datasync`) every few seconds, so a power cut loses
 * at most those; `finish()` makes it an ordinary indexed Matroska file.
 */
import type { FileHandle } from 'node:fs/promises';
import { jpegSize } from '../../protocol/jpeg/info.js';
import type { RingbufferEntry } from '../../stream/ring-buffer.js';
import type { RecordedFile } from './catalog.js';
import { type MkvOutput, MkvWriter } from './mkv.js';
import { createNewFile } from './new-file.js';

/** Data is forced to the disk at least this often while a segment is written, ms. */
const SYNC_EVERY_MS = 5000;

/** The picture size of a JPEG for the track header (any later frame may differ); VGA when unreadable. */
export function trackSize(jpeg: Uint8Array): { width: number; height: number } {
  return jpegSize(jpeg) ?? { width: 640, height: 480 };
}

export class Segment {
  readonly file: RecordedFile;
  readonly #handle: FileHandle;
  readonly #writer: MkvWriter;
  #out: MkvOutput = { append: [], patches: [] };
  #written = 0;
  #lastSync = performance.now();

  private constructor(file: RecordedFile, handle: FileHandle, writer: MkvWriter, out: MkvOutput) {
    this.file = file;
    this.#handle = handle;
    this.#writer = writer;
    this.#out = out;
  }

  /**
   * Creates the file for a segment starting with `first` (never overwriting one: see
   * `createNewFile`); its header is written with the first flush.
   */
  static async create(
    dir: string,
    camera: string,
    first: RingbufferEntry,
    pathFor: (attempt: number) => string,
    taken: (path: string) => boolean,
  ): Promise<Segment> {
    const { path, handle } = await createNewFile(dir, pathFor, taken);
    const out: MkvOutput = { append: [], patches: [] };
    const writer = new MkvWriter({ start: first.timestamp, ...trackSize(first.frame) }, out);
    const file: RecordedFile = {
      path,
      camera,
      kind: 'segment',
      start: first.timestamp,
      end: first.timestamp,
      frames: 0,
      bytes: 0,
      open: true,
    };
    return new Segment(file, handle, writer, out);
  }

  /** Bytes written to the file so far. */
  get written(): number {
    return this.#written;
  }

  /** Bytes of the file once everything added is flushed. */
  get size(): number {
    return this.#writer.size;
  }

  add(entry: RingbufferEntry): void {
    this.#writer.add(entry.frame, entry.timestamp, this.#out);
  }

  /** Writes what was added; resolves with the bytes appended. Updates `file` (not its `bytes`: the catalog does). */
  async flush(): Promise<number> {
    const { append, patches } = this.#out;
    if (append.length === 0 && patches.length === 0) return 0;
    this.#out = { append: [], patches: [] };
    const length = append.reduce((n, b) => n + b.length, 0);
    const { bytesWritten } = await this.#handle.writev(append, this.#written);
    if (bytesWritten !== length) throw new Error(`short write (${bytesWritten} of ${length} bytes)`);
    this.#written += length;
    for (const p of patches) await this.#handle.write(p.bytes, 0, p.bytes.length, p.offset);
    const summary = this.#writer.summary();
    this.file.frames = summary.frames;
    this.file.end = summary.end;
    if (performance.now() - this.#lastSync >= SYNC_EVERY_MS) {
      this.#lastSync = performance.now();
      await this.#handle.datasync();
    }
    return length;
  }

  /** Ends the file (Cues, sizes, Duration, Tags), writes it out and closes it. */
  async finish(): Promise<number> {
    this.#writer.finish(this.#out);
    try {
      const appended = await this.flush();
      await this.#handle.datasync();
      return appended;
    } finally {
      await this.abandon();
    }
  }

  /** Closes the file as it is (after a write error: it stays readable up to its last complete frame). */
  async abandon(): Promise<void> {
    this.file.open = false;
    await this.#handle.close().catch(() => {});
  }
}
