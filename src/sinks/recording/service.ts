/**
 * Recording into one folder (`--save DIR`): checks the folder at start (a
 * folder that cannot be used is a one-line `unusable` error), lists what is
 * there already, then runs one recorder per camera, the timelapse, the free
 * space guard and retention, and reports them all in one status.
 */
import { constants } from 'node:fs';
import { access, mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../log.js';
import type { RingBuffer } from '../../stream/ring-buffer.js';
import { CameraRecorder, type CameraRecordingStatus } from './camera-recorder.js';
import { Catalog, type RecordedFile } from './catalog.js';
import { DiskGuard, type FreeSpaceProbe, statfsProbe } from './disk-guard.js';
import { errorText, RecordingError } from './errors.js';
import type { KeepLimit, MinFree } from './limits.js';
import { Retention } from './retention.js';
import { scanFolder } from './scan.js';
import { TimelapseCapture } from './timelapse.js';

/** Recording as a library user gives it (`createGateway({ recording })`); the flags say the same. */
export interface RecordingOptions {
  /** The folder (made if missing); `--save`. */
  dir: string;
  /** A new file this often (and at local midnight), seconds; `--segment`, default 300. */
  segmentSeconds?: number;
  /** Delete the oldest files beyond a total size and/or age; `--keep`, default keep everything. */
  keep?: KeepLimit;
  /** Pause below this free space; `--min-free`, default the larger of 1 GB and 5 %. */
  minFree?: MinFree;
  /** Store one JPEG per camera this often, seconds; `--timelapse`, default off. */
  timelapseSeconds?: number;
}

/** The recording's settings, defaults applied. */
export interface RecordingSettings {
  /** The folder, absolute. */
  dir: string;
  segmentSeconds: number;
  keep?: KeepLimit;
  minFree: MinFree;
  timelapseSeconds?: number;
}

export interface RecordingDeps {
  logger: Logger;
  /** How free space is measured; default `statfs`. */
  probe?: FreeSpaceProbe;
  /** Free space is measured this often, ms; default 5000. */
  probeIntervalMs?: number;
  /** Epoch seconds now; default the system clock. */
  now?: () => number;
}

export interface RecordableCamera {
  readonly name: string;
  readonly ring: RingBuffer;
}

/** The recording as `/status` shows it (`recording`). */
export interface RecordingStatus {
  dir: string;
  /** `error` while some camera's last write failed; `paused` below the free space to keep. */
  state: 'recording' | 'paused' | 'error';
  segmentSeconds: number;
  keep: KeepLimit | null;
  timelapseSeconds: number | null;
  disk: { free: number; total: number; keepFree: number };
  /** Epoch seconds since recording paused for free space; null while it runs. */
  pausedSince: number | null;
  /** Files and bytes in the folder; files deleted by retention since the start. */
  files: number;
  bytes: number;
  deleted: number;
  lastError: { camera: string | null; message: string; at: number } | null;
  cameras: Record<string, CameraRecordingStatus & { timelapseFrames: number }>;
}

/** A one-line reason a folder cannot be used, from a file system error. */
function folderProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR' || code === 'EEXIST') return 'it (or a folder on its path) is a file';
  if (code === 'EROFS') return 'the file system is read-only';
  if (code === 'ENOSPC') return 'the disk is full';
  return errorText(err);
}

/** Make sure files can be created in `dir` (made if missing); throws an `unusable` RecordingError. */
async function checkFolder(dir: string): Promise<void> {
  const probe = join(dir, `.cam-gateway-write-test-${process.pid}`);
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK | constants.X_OK);
    const handle = await open(probe, 'w');
    await handle.close();
    await rm(probe, { force: true });
  } catch (err) {
    throw new RecordingError('unusable', `cannot record into ${dir}: ${folderProblem(err)}`);
  }
}

export class RecordingService {
  readonly settings: RecordingSettings;
  readonly catalog = new Catalog();
  readonly #log: Logger;
  readonly #guard: DiskGuard;
  readonly #retention: Retention | undefined;
  readonly #recorders: CameraRecorder[];
  readonly #timelapse: TimelapseCapture | undefined;
  #lastError: RecordingStatus['lastError'] = null;

  constructor(cameras: readonly RecordableCamera[], settings: RecordingSettings, deps: RecordingDeps) {
    this.settings = settings;
    this.#log = deps.logger.child('recording');
    const now = deps.now ?? (() => Date.now() / 1000);
    const failed = (camera: string | null, message: string): void => {
      this.#lastError = { camera, message, at: now() };
      this.#log.error(camera ? `${camera}: ${message}` : message);
    };
    const { dir, keep } = settings;
    this.#guard = new DiskGuard({
      dir,
      minFree: settings.minFree,
      probe: deps.probe ?? statfsProbe,
      intervalMs: deps.probeIntervalMs ?? 5000,
      log: this.#log,
      onError: (message) => failed(null, message),
    });
    this.#retention = keep
      ? new Retention({
          dir,
          catalog: this.catalog,
          keep,
          now,
          onDeleted: (file) => this.#guard.used(-file.bytes),
          onError: (message) => failed(null, message),
        })
      : undefined;
    // With a size limit, no open segment may outgrow its share of it (a quarter, split between cameras).
    const maxSegmentBytes = keep?.bytes
      ? Math.floor(keep.bytes / (4 * Math.max(1, cameras.length)))
      : Number.POSITIVE_INFINITY;
    const context = {
      dir,
      catalog: this.catalog,
      guard: this.#guard,
      retention: this.#retention,
      segmentSeconds: settings.segmentSeconds,
      maxSegmentBytes,
      log: this.#log,
      now,
      failed,
    };
    this.#recorders = cameras.map((camera) => new CameraRecorder(camera, context));
    this.#timelapse =
      settings.timelapseSeconds === undefined
        ? undefined
        : new TimelapseCapture(cameras, {
            dir,
            catalog: this.catalog,
            seconds: settings.timelapseSeconds,
            writable: () => !this.#guard.paused,
            stored: (file) => this.stored(file),
            failed,
          });
  }

  /** Check the folder, list what is in it, then record. Rejects with an `unusable` RecordingError. */
  async start(): Promise<void> {
    const { dir } = this.settings;
    await checkFolder(dir);
    await scanFolder(dir, this.catalog);
    await this.#guard.start();
    if (this.#retention) {
      this.#retention.start();
      await this.#retention.enforce();
    }
    for (const recorder of this.#recorders) recorder.start();
    this.#timelapse?.start();
  }

  /** Write what is queued, finish every segment, stop the timers. */
  async stop(): Promise<void> {
    await this.#timelapse?.stop();
    await Promise.all(this.#recorders.map((r) => r.stop()));
    await this.#retention?.stop();
    await this.#guard.stop();
  }

  /** A file written whole (a timelapse frame, a saved clip): listed, its bytes counted. */
  stored(file: RecordedFile): void {
    this.catalog.add(file);
    this.#guard.used(file.bytes);
    if (this.#retention?.over) void this.#retention.enforce();
  }

  /** Store each camera's newest frame as a timelapse frame now (what the timer does). */
  captureTimelapse(): Promise<void> {
    return this.#timelapse?.capture() ?? Promise.resolve();
  }

  /** Measure free space now (what the timer does). */
  checkFreeSpace(): Promise<void> {
    return this.#guard.check();
  }

  status(): RecordingStatus {
    const cameras: RecordingStatus['cameras'] = {};
    for (const recorder of this.#recorders) {
      cameras[recorder.name] = {
        ...recorder.status(),
        timelapseFrames: this.#timelapse?.stored(recorder.name) ?? 0,
      };
    }
    const failing = Object.values(cameras).some((c) => c.error !== null);
    const guard = this.#guard;
    return {
      dir: this.settings.dir,
      state: failing ? 'error' : guard.paused ? 'paused' : 'recording',
      segmentSeconds: this.settings.segmentSeconds,
      keep: this.settings.keep ?? null,
      timelapseSeconds: this.settings.timelapseSeconds ?? null,
      disk: { free: Math.max(0, guard.free), total: guard.total, keepFree: Math.round(guard.need) },
      pausedSince: guard.pausedSince,
      files: this.catalog.size,
      bytes: this.catalog.totalBytes,
      deleted: this.#retention?.deleted ?? 0,
      lastError: this.#lastError,
      cameras,
    };
  }
}
