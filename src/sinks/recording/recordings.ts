/**
 * Everything the HTTP layer and `/metrics` ask of recording, in one handle:
 * the recording service (`--save DIR`, optional), each camera's pre-roll and
 * the clips cut from it, the timelapse videos, the list of recordings and the
 * files themselves. Only files in the index are ever opened, and only when
 * their real path is the one listed under the folder (no symlink on the way).
 */
import { constants } from 'node:fs';
import { type FileHandle, open, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { nowSeconds } from '../../stream/ring-buffer.js';
import { type RecordedFile, wholeFile } from './catalog.js';
import { errorText, RecordingError } from './errors.js';
import { RECORDING_DEFAULTS } from './limits.js';
import { writeNewFile } from './new-file.js';
import { contentTypeOf, dayName, recordingPath, timeName } from './paths.js';
import { clipFile, Preroll } from './preroll.js';
import {
  type RecordableCamera,
  type RecordingDeps,
  RecordingService,
  type RecordingSettings,
  type RecordingStatus,
} from './service.js';
import { timelapseVideo } from './timelapse.js';

export interface RecordingsOptions {
  /** Record into a folder; undefined: no recording, clips only from memory. */
  recording?: RecordingSettings;
  /** Seconds of pre-roll per camera; 0 turns clips off. */
  prerollSeconds: number;
  /** The pre-roll's cap per camera, bytes. Default 64 MiB. */
  prerollMaxBytes?: number;
}

/** One file in `GET /recordings`. */
export interface ListedFile {
  path: string;
  start: number;
  end: number;
  frames: number;
  bytes: number;
  open: boolean;
}

export interface RecordingList {
  dir: string | null;
  cameras: Record<
    string,
    {
      segments: ListedFile[];
      clips: ListedFile[];
      timelapse: { frames: number; bytes: number; first: number | null; last: number | null };
    }
  >;
}

/** A clip made in memory. */
export interface Clip {
  bytes: Buffer;
  /** A file name for downloads: `NAME-YYYY-MM-DD-HHMMSS.mkv`. */
  name: string;
  frames: number;
  start: number;
  end: number;
}

/** A file opened for serving: the caller reads it and closes `handle`. */
export interface OpenedFile {
  handle: FileHandle;
  size: number;
  contentType: string;
  modified: Date;
}

const round6 = (t: number): number => Math.round(t * 1e6) / 1e6;

function listed(file: RecordedFile): ListedFile {
  const { path, start, end, frames, bytes, open } = file;
  return { path, start: round6(start), end: round6(end), frames, bytes, open };
}

export class Recordings {
  readonly service: RecordingService | undefined;
  readonly #prerolls = new Map<string, Preroll>();
  readonly #names: readonly string[];

  constructor(cameras: readonly RecordableCamera[], options: RecordingsOptions, deps: RecordingDeps) {
    this.#names = cameras.map((c) => c.name);
    this.service = options.recording ? new RecordingService(cameras, options.recording, deps) : undefined;
    if (options.prerollSeconds > 0) {
      const maxBytes = options.prerollMaxBytes ?? RECORDING_DEFAULTS.prerollMaxBytes;
      for (const c of cameras)
        this.#prerolls.set(c.name, new Preroll(c.ring, options.prerollSeconds, maxBytes));
    }
  }

  async start(): Promise<void> {
    for (const preroll of this.#prerolls.values()) preroll.start();
    await this.service?.start();
  }

  async stop(): Promise<void> {
    for (const preroll of this.#prerolls.values()) preroll.stop();
    await this.service?.stop();
  }

  status(): RecordingStatus | null {
    return this.service?.status() ?? null;
  }

  #service(what: string): RecordingService {
    if (!this.service)
      throw new RecordingError('off', `${what} needs a recording folder: start the gateway with --save DIR`);
    return this.service;
  }

  list(): RecordingList {
    const service = this.service;
    if (!service) return { dir: null, cameras: {} };
    const cameras: RecordingList['cameras'] = {};
    const names = [...new Set([...this.#names, ...service.catalog.cameraNames()])];
    for (const name of names) {
      const files = service.catalog.camera(name);
      const frames = files.timelapse;
      cameras[name] = {
        segments: files.segment.map(listed),
        clips: files.clip.map(listed),
        timelapse: {
          frames: frames.length,
          bytes: frames.reduce((n, f) => n + f.bytes, 0),
          first: frames[0] ? round6(frames[0].start) : null,
          last: frames.at(-1) ? round6(frames.at(-1)!.start) : null,
        },
      };
    }
    return { dir: service.settings.dir, cameras };
  }

  /** Opens a listed file by its path relative to the folder; anything else is `not-found`. */
  async open(path: string): Promise<OpenedFile> {
    const service = this.#service('downloading recordings');
    const missing = (): RecordingError =>
      new RecordingError('not-found', `no recording ${JSON.stringify(path)}`);
    if (!service.catalog.has(path)) throw missing();
    const dir = service.settings.dir;
    const abs = join(dir, path);
    // The listed path must be the real one: a folder on the way swapped for a symlink leads nowhere.
    const [real, realDir] = await Promise.all([realpath(abs), realpath(dir)]).catch(() => [
      undefined,
      undefined,
    ]);
    if (real === undefined || real !== join(realDir!, path)) throw missing();
    let handle: FileHandle;
    try {
      handle = await open(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch {
      throw missing();
    }
    const stat = await handle.stat();
    if (!stat.isFile()) {
      await handle.close();
      throw missing();
    }
    return { handle, size: stat.size, contentType: contentTypeOf(path), modified: stat.mtime };
  }

  /** The absolute path of a listed file's relative `path`. */
  filePath(path: string): string {
    return join(this.#service('a file').settings.dir, path);
  }

  /** Seconds of pre-roll kept per camera (0: off). */
  get prerollSeconds(): number {
    return this.#prerolls.values().next().value?.seconds ?? 0;
  }

  /** The last `seconds` of `camera` (default: the whole pre-roll) as one Matroska file. */
  clip(camera: string, seconds?: number): Clip {
    const preroll = this.#prerolls.get(camera);
    if (!preroll) throw new RecordingError('off', 'clips are off (--preroll 0)');
    const span = seconds ?? preroll.seconds;
    if (!(span > 0 && span <= preroll.seconds)) {
      throw new RecordingError(
        'invalid',
        `"seconds" must be a number of seconds from more than 0 to ${preroll.seconds} (--preroll), got ${seconds}`,
        'seconds',
      );
    }
    const entries = preroll.last(span, nowSeconds());
    if (entries.length === 0) {
      throw new RecordingError('not-found', `camera "${camera}" sent no frame in the last ${span} s`);
    }
    const start = entries[0]!.timestamp;
    return {
      bytes: clipFile(entries),
      name: `${camera}-${dayName(start)}-${timeName(start)}.mkv`,
      frames: entries.length,
      start,
      end: entries.at(-1)!.timestamp,
    };
  }

  /** Saves `clip(camera, seconds)` under `NAME/clips/` in the folder; resolves with its listing. */
  async saveClip(camera: string, seconds?: number): Promise<ListedFile> {
    const service = this.#service('saving a clip');
    if (service.status().state === 'paused') {
      throw new RecordingError(
        'unusable',
        'recording is paused: the disk is below the free space to keep (--min-free)',
      );
    }
    const clip = this.clip(camera, seconds);
    const { catalog, settings } = service;
    const path = await writeNewFile(
      settings.dir,
      (attempt) => recordingPath(camera, 'clip', clip.start, attempt),
      (p) => catalog.has(p),
      clip.bytes,
    ).catch((err: unknown) => {
      throw new RecordingError('io', `cannot save the clip in ${settings.dir}: ${errorText(err)}`);
    });
    const file = wholeFile(path, camera, 'clip', clip, clip.bytes.length);
    service.stored(file);
    return listed(file);
  }

  /** `camera`'s timelapse frames from `from` to `to` (epoch seconds) as one video at `fps`. */
  timelapse(
    camera: string,
    from: number,
    to: number,
    fps: number,
  ): { body: ReadableStream<Uint8Array>; frames: number; name: string } {
    const service = this.#service('a timelapse');
    const files = service.catalog.timelapse(camera, from, to);
    if (files.length === 0) {
      const span = `${Number.isFinite(from) ? new Date(from * 1000).toISOString() : 'the start'} and ${Number.isFinite(to) ? new Date(to * 1000).toISOString() : 'now'}`;
      throw new RecordingError('not-found', `camera "${camera}" has no timelapse frames between ${span}`);
    }
    const start = files[0]!.start;
    return {
      body: timelapseVideo(service.settings.dir, files, fps),
      frames: files.length,
      name: `${camera}-timelapse-${dayName(start)}-${timeName(start)}.mkv`,
    };
  }
}
