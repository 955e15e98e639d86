/**
 * The index of every file under the recording folder: what each holds (start,
 * end, frames, bytes) without opening it, the total size, the files oldest
 * first (for retention) and per camera (for `GET /recordings`, the timelapse).
 * Built once at start (`scan.ts`), then kept up to date by whoever writes or
 * deletes a file; requests only read it. Only files listed here are served.
 */
import type { RecordingKind } from './paths.js';

export interface RecordedFile {
  /** Relative to the recording folder, `/`-separated: `cam0/2026-11-24/101500.mkv`. */
  readonly path: string;
  readonly camera: string;
  readonly kind: RecordingKind;
  /** Epoch seconds of the first frame. */
  start: number;
  /** Epoch seconds where the last frame ends (a timelapse frame: its own time). */
  end: number;
  frames: number;
  /** Size on disk. */
  bytes: number;
  /** Still being written. */
  open: boolean;
}

/** The listing of a file written whole (a timelapse frame, a saved clip). */
export function wholeFile(
  path: string,
  camera: string,
  kind: RecordingKind,
  span: { start: number; end: number; frames: number },
  bytes: number,
): RecordedFile {
  return { path, camera, kind, ...span, bytes, open: false };
}

/** One camera's files, each list oldest first. */
export interface CameraFiles {
  segment: RecordedFile[];
  clip: RecordedFile[];
  timelapse: RecordedFile[];
}

/** Index of the first file of `list` (sorted by start) that starts at or after `t`. */
function firstAtOrAfter(list: readonly RecordedFile[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.start < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Insert keeping `list` sorted by start (new files almost always go last: O(1) then). */
function insertSorted(list: RecordedFile[], file: RecordedFile): void {
  const last = list.at(-1);
  if (!last || last.start <= file.start) list.push(file);
  else list.splice(firstAtOrAfter(list, file.start + Number.EPSILON), 0, file);
}

function removeFrom(list: RecordedFile[], file: RecordedFile): void {
  const i = list.lastIndexOf(file);
  if (i >= 0) list.splice(i, 1);
}

export class Catalog {
  readonly #byPath = new Map<string, RecordedFile>();
  readonly #oldestFirst: RecordedFile[] = [];
  readonly #cameras = new Map<string, CameraFiles>();
  #totalBytes = 0;

  /** Bytes of every listed file. */
  get totalBytes(): number {
    return this.#totalBytes;
  }

  get size(): number {
    return this.#byPath.size;
  }

  has(path: string): boolean {
    return this.#byPath.has(path);
  }

  get(path: string): RecordedFile | undefined {
    return this.#byPath.get(path);
  }

  add(file: RecordedFile): void {
    if (this.#byPath.has(file.path)) throw new Error(`${file.path} is listed already`);
    this.#byPath.set(file.path, file);
    insertSorted(this.#oldestFirst, file);
    insertSorted(this.camera(file.camera, true)[file.kind], file);
    this.#totalBytes += file.bytes;
  }

  /** Record that a listed file changed size (it grew, or was finished). */
  resized(file: RecordedFile, bytes: number): void {
    if (this.#byPath.get(file.path) === file) this.#totalBytes += bytes - file.bytes;
    file.bytes = bytes;
  }

  remove(file: RecordedFile): void {
    if (this.#byPath.get(file.path) !== file) return;
    this.#byPath.delete(file.path);
    removeFrom(this.#oldestFirst, file);
    const files = this.#cameras.get(file.camera);
    if (files) removeFrom(files[file.kind], file);
    this.#totalBytes -= file.bytes;
  }

  /** The oldest file not being written (open files are the newest few: this is O(1) in practice). */
  oldestClosed(): RecordedFile | undefined {
    return this.#oldestFirst.find((file) => !file.open);
  }

  /** The cameras that have files. */
  cameraNames(): string[] {
    return [...this.#cameras.keys()].filter((name) => {
      const f = this.#cameras.get(name)!;
      return f.segment.length + f.clip.length + f.timelapse.length > 0;
    });
  }

  /** A camera's files (empty lists for a camera without any). */
  camera(name: string, create = false): CameraFiles {
    let files = this.#cameras.get(name);
    if (!files) {
      files = { segment: [], clip: [], timelapse: [] };
      if (create) this.#cameras.set(name, files);
    }
    return files;
  }

  /** A camera's timelapse frames taken from `from` to `to` (epoch seconds, both included), oldest first. */
  timelapse(camera: string, from: number, to: number): RecordedFile[] {
    const list = this.camera(camera).timelapse;
    const out: RecordedFile[] = [];
    for (let i = firstAtOrAfter(list, from); i < list.length && list[i]!.start <= to; i++) out.push(list[i]!);
    return out;
  }
}
