/**
 * Records one camera: every frame its ring publishes goes, as-is, into the
 * current segment file. The ring's listener runs inside `ring.add()`, on the
 * live stream's path, so it only puts the frame on a bounded queue (a full
 * queue drops the frame and counts it: a slow disk never slows the stream);
 * the writing happens later, one batch per turn (`segment.ts`). Segments turn
 * over every `--segment` seconds, at local midnight, and when they reach their
 * share of `--keep`'s size. A write error is reported at once (log, status),
 * the file is closed as it is, and writing is retried a little later.
 */
import type { Logger } from '../../log.js';
import type { RingBuffer, RingbufferEntry } from '../../stream/ring-buffer.js';
import type { Catalog } from './catalog.js';
import type { DiskGuard } from './disk-guard.js';
import { errorText } from './errors.js';
import { nextLocalMidnight, recordingPath } from './paths.js';
import type { Retention } from './retention.js';
import { Segment } from './segment.js';

/** The queue to the disk holds at most this many frames … */
const MAX_QUEUE_FRAMES = 256;
/** … and this many bytes. */
const MAX_QUEUE_BYTES = 32 * 1024 * 1024;
/** After a write error, the next try waits this long, seconds. */
const RETRY_S = 2;
/**
 * Queued frames are written this long after the first of them arrived: one write a second per
 * camera instead of one per frame (each write costs a trip to the thread pool, some 50–150 µs of the
 * main thread on a busy machine, measured). A `kill -9` loses at most this.
 */
export const WRITE_EVERY_MS = 1000;

/** What every camera's recorder shares. */
export interface RecorderContext {
  readonly dir: string;
  readonly catalog: Catalog;
  readonly guard: DiskGuard;
  readonly retention: Retention | undefined;
  readonly segmentSeconds: number;
  /** A segment is also cut when it reaches this size, bytes. */
  readonly maxSegmentBytes: number;
  readonly log: Logger;
  /** Epoch seconds now. */
  now(): number;
  /** A failure, reported at once (the service keeps the last one for `/status`). */
  failed(camera: string, message: string): void;
}

/** One camera's recording, as `/status` shows it. */
export interface CameraRecordingStatus {
  /** The file being written, relative to the folder; null between segments. */
  file: string | null;
  /** Frames and bytes written since the start. */
  frames: number;
  bytes: number;
  /** Segment files started. */
  segments: number;
  /** Frames not recorded because the disk could not keep up (the queue to it was full). */
  dropped: number;
  /** Frames not recorded after a write error, before the next try. */
  lost: number;
  /** Frames not recorded while paused for free space. */
  skippedWhilePaused: number;
  errors: number;
  /** The last write error, null once writing works again. */
  error: string | null;
}

export class CameraRecorder {
  readonly name: string;
  readonly #ring: RingBuffer;
  readonly #ctx: RecorderContext;
  #queue: RingbufferEntry[] = [];
  #queuedBytes = 0;
  #closeAsked = false;
  #draining: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #segment: Segment | undefined;
  #rotateAt = 0;
  #retryAt = 0;
  readonly #stats: CameraRecordingStatus = {
    file: null,
    frames: 0,
    bytes: 0,
    segments: 0,
    dropped: 0,
    lost: 0,
    skippedWhilePaused: 0,
    errors: 0,
    error: null,
  };

  constructor(camera: { readonly name: string; readonly ring: RingBuffer }, context: RecorderContext) {
    this.name = camera.name;
    this.#ring = camera.ring;
    this.#ctx = context;
  }

  start(): void {
    this.#unsubscribe ??= this.#ring.subscribe(this.#onFrame);
  }

  /** Stops taking frames, writes what is queued and finishes the segment. */
  async stop(): Promise<void> {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#draining;
    this.#closeAsked = true;
    await this.#drain(true);
  }

  status(): CameraRecordingStatus {
    return { ...this.#stats, file: this.#segment?.file.path ?? null };
  }

  /** Inside `ring.add()`: queue the frame, nothing more. */
  readonly #onFrame = (entry: RingbufferEntry | undefined): void => {
    if (!entry) return;
    if (this.#ctx.guard.paused) {
      this.#stats.skippedWhilePaused++;
      if (this.#segment && !this.#closeAsked) {
        this.#closeAsked = true;
        this.#kick();
      }
      return;
    }
    const bytes = entry.frame.length;
    if (this.#queue.length >= MAX_QUEUE_FRAMES || this.#queuedBytes + bytes > MAX_QUEUE_BYTES) {
      this.#stats.dropped++;
      return;
    }
    this.#queue.push(entry);
    this.#queuedBytes += bytes;
    this.#kick();
  };

  /**
   * Write a little later (`WRITE_EVERY_MS`), never inside `ring.add()`; at once on the next turn when
   * the queue is half full (the disk is behind).
   */
  #kick(): void {
    if (this.#draining || this.#timer) return;
    const soon = this.#queue.length >= MAX_QUEUE_FRAMES / 2 || this.#queuedBytes >= MAX_QUEUE_BYTES / 2;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#draining = this.#drain(false);
      },
      soon ? 0 : WRITE_EVERY_MS,
    );
  }

  /**
   * Writes the queued frames in one batch, then finishes the file if asked and nothing is left;
   * frames that came meanwhile wait for the next turn (`all`: until nothing is left).
   */
  async #drain(all: boolean): Promise<void> {
    try {
      do {
        if (this.#queue.length > 0) {
          const batch = this.#queue;
          this.#queue = [];
          this.#queuedBytes = 0;
          await this.#write(batch);
        }
        if (this.#closeAsked && this.#queue.length === 0) {
          this.#closeAsked = false;
          await this.#close();
        }
      } while (all && (this.#queue.length > 0 || this.#closeAsked));
    } finally {
      this.#draining = undefined;
    }
    if (this.#queue.length > 0 || this.#closeAsked) this.#kick();
  }

  async #write(batch: readonly RingbufferEntry[]): Promise<void> {
    for (const entry of batch) {
      let segment = this.#segment;
      if (segment && (entry.timestamp >= this.#rotateAt || segment.size >= this.#ctx.maxSegmentBytes)) {
        await this.#close();
        segment = undefined;
      }
      segment ??= await this.#open(entry);
      if (segment) segment.add(entry);
      else this.#stats.lost++;
    }
    await this.#flush();
  }

  async #open(first: RingbufferEntry): Promise<Segment | undefined> {
    const { dir, catalog } = this.#ctx;
    if (this.#ctx.now() < this.#retryAt) return undefined;
    try {
      const segment = await Segment.create(
        dir,
        this.name,
        first,
        (attempt) => recordingPath(this.name, 'segment', first.timestamp, attempt),
        (path) => catalog.has(path),
      );
      catalog.add(segment.file);
      this.#segment = segment;
      this.#stats.segments++;
      this.#rotateAt = Math.min(
        first.timestamp + this.#ctx.segmentSeconds,
        nextLocalMidnight(first.timestamp),
      );
      return segment;
    } catch (err) {
      this.#fail(`cannot create a segment file in ${dir}/${this.name}: ${errorText(err)}`);
      return undefined;
    }
  }

  /** Write what the segment has pending; on failure report, close the file as it is, and retry later. */
  async #flush(finish = false): Promise<void> {
    const segment = this.#segment;
    if (!segment) return;
    const framesBefore = segment.file.frames;
    try {
      const appended = finish ? await segment.finish() : await segment.flush();
      this.#account(segment, appended, framesBefore);
      if (this.#stats.error !== null) {
        this.#stats.error = null;
        this.#ctx.log.info(`${this.name}: recording to ${segment.file.path} again`);
      }
    } catch (err) {
      this.#account(segment, 0, framesBefore);
      await segment.abandon();
      this.#segment = undefined;
      this.#fail(`cannot write ${this.#ctx.dir}/${segment.file.path}: ${errorText(err)}`);
    }
  }

  #account(segment: Segment, appended: number, framesBefore: number): void {
    const { catalog, guard, retention } = this.#ctx;
    this.#stats.bytes += appended;
    this.#stats.frames += segment.file.frames - framesBefore;
    catalog.resized(segment.file, segment.written);
    guard.used(appended);
    if (retention?.over) void retention.enforce();
  }

  async #close(): Promise<void> {
    if (!this.#segment) return;
    await this.#flush(true);
    this.#segment = undefined;
  }

  #fail(message: string): void {
    this.#stats.errors++;
    this.#retryAt = this.#ctx.now() + RETRY_S;
    // One log line per streak of the same failure, however many frames it costs.
    if (this.#stats.error !== message) this.#ctx.failed(this.name, message);
    this.#stats.error = message;
  }
}
