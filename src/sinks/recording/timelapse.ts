/**
 * Timelapse: every `--timelapse` seconds each camera's newest frame (if it is
 * new) is stored as-is as a JPEG under `NAME/timelapse/`, its file's mtime set
 * to the frame's timestamp; and a span of those frames becomes one Matroska
 * video at a chosen frame rate (`timelapseVideo`), streamed out a frame at a
 * time — the JPEGs are never re-encoded, and however long the span, only one
 * frame is in memory at once.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RingBuffer, RingbufferEntry } from '../../stream/ring-buffer.js';
import { type Catalog, type RecordedFile, wholeFile } from './catalog.js';
import { errorText } from './errors.js';
import { type MkvOutput, MkvWriter } from './mkv.js';
import { writeNewFile } from './new-file.js';
import { recordingPath } from './paths.js';
import { trackSize } from './segment.js';

export interface TimelapseContext {
  readonly dir: string;
  readonly catalog: Catalog;
  /** Every N seconds. */
  readonly seconds: number;
  /** False while recording is paused (free space). */
  writable(): boolean;
  /** A frame was stored: list it, count its bytes. */
  stored(file: RecordedFile): void;
  failed(camera: string, message: string): void;
}

export class TimelapseCapture {
  readonly #cameras: readonly { readonly name: string; readonly ring: RingBuffer }[];
  readonly #ctx: TimelapseContext;
  readonly #last = new Map<string, number>();
  readonly #stored = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #tick: Promise<void> | undefined;

  constructor(
    cameras: readonly { readonly name: string; readonly ring: RingBuffer }[],
    context: TimelapseContext,
  ) {
    this.#cameras = cameras;
    this.#ctx = context;
  }

  start(): void {
    this.#timer = setInterval(() => {
      this.#tick ??= this.capture().finally(() => {
        this.#tick = undefined;
      });
    }, this.#ctx.seconds * 1000);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#tick;
  }

  /** Frames stored for `camera` since the start. */
  stored(camera: string): number {
    return this.#stored.get(camera) ?? 0;
  }

  /** Store each camera's newest frame, if it is one not stored yet. */
  async capture(): Promise<void> {
    for (const camera of this.#cameras) {
      const latest = camera.ring.latest();
      if (!latest || latest.index === this.#last.get(camera.name) || !this.#ctx.writable()) continue;
      this.#last.set(camera.name, latest.index);
      try {
        await this.#save(camera.name, latest);
      } catch (err) {
        this.#ctx.failed(
          camera.name,
          `cannot store a timelapse frame in ${this.#ctx.dir}: ${errorText(err)}`,
        );
      }
    }
  }

  async #save(camera: string, entry: RingbufferEntry): Promise<void> {
    const { dir, catalog } = this.#ctx;
    const t = entry.timestamp;
    const path = await writeNewFile(
      dir,
      (attempt) => recordingPath(camera, 'timelapse', t, attempt),
      (p) => catalog.has(p),
      entry.frame,
      t,
    );
    this.#stored.set(camera, this.stored(camera) + 1);
    this.#ctx.stored(
      wholeFile(path, camera, 'timelapse', { start: t, end: t, frames: 1 }, entry.frame.length),
    );
  }
}

/**
 * The timelapse frames `files` as one Matroska video at `fps` frames per second: time zero is the
 * first frame's capture time, frame k at k / fps. Frames whose file has gone since are left out.
 */
export function timelapseVideo(
  dir: string,
  files: readonly RecordedFile[],
  fps: number,
): ReadableStream<Uint8Array> {
  let next = 0;
  let writer: MkvWriter | undefined;
  let out: MkvOutput = { append: [], patches: [] };
  const start = files[0]?.start ?? 0;
  const flush = (controller: ReadableStreamDefaultController<Uint8Array>): void => {
    for (const bytes of out.append) controller.enqueue(bytes);
    out = { append: [], patches: [] };
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        while (next < files.length) {
          const file = files[next++]!;
          const jpeg = await readFile(join(dir, file.path)).catch(() => undefined);
          if (!jpeg) continue;
          writer ??= new MkvWriter({ start, ...trackSize(jpeg), duration: files.length / fps }, out);
          writer.add(jpeg, start + writer.frames / fps, out);
          flush(controller);
          return;
        }
        if (!writer) {
          controller.error(new Error('every timelapse frame asked for has been deleted'));
          return;
        }
        // Unpatched (the bytes are out already): Cues at the end, sizes unknown, as a live file.
        writer.finish(out);
        flush(controller);
        controller.close();
      },
    },
    { highWaterMark: 0 },
  );
}
