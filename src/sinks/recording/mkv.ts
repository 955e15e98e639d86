/**
 * A Matroska writer for one MJPEG track (`V_MJPEG`): every JPEG goes in as-is,
 * one SimpleBlock per frame at its own timestamp (0.1 ms resolution), so a
 * variable frame rate is kept exactly. Pure: it says which bytes to append and
 * which earlier bytes to overwrite; the caller does the I/O.
 *
 * Built to survive a `kill -9` or a power cut mid-file: the Segment and each
 * Cluster start with the "unknown size" marker and blocks are appended as they
 * come, so a file cut anywhere reads up to its last complete frame. Closing a
 * cluster writes its real size over the marker; `finish()` adds Cues (one per
 * cluster, for seeking), the Duration, the Segment size, and a SeekHead and
 * statistics Tags (`NUMBER_OF_FRAMES`) in room reserved at the front — so a
 * finished file is an ordinary, fully indexed Matroska file, and a reader
 * learns its span and frame count from its first bytes (`mkv-read.ts`).
 */
import {
  element,
  floatElement,
  idBytes,
  int64Element,
  stringElement,
  UNKNOWN_SIZE,
  uintElement,
  vint,
  voidElement,
  writeVint,
} from './ebml.js';
import { ID } from './mkv-ids.js';

/** Nanoseconds per timestamp unit: 0.1 ms, so a frame's time is kept to ±0.05 ms. */
export const TIMESTAMP_SCALE_NS = 100_000;
/** Timestamp units per second. */
export const UNITS_PER_SECOND = 1e9 / TIMESTAMP_SCALE_NS;
/** Matroska's epoch (2001-01-01T00:00:00Z) in Unix seconds, for DateUTC. */
export const MATROSKA_EPOCH_S = 978_307_200;
/** A new cluster (a seek point) starts at least this often. */
const CLUSTER_UNITS = UNITS_PER_SECOND;
/** A block's time is an int16 offset from its cluster's. */
const MAX_BLOCK_OFFSET = 32_767;
/** Room kept after the Segment header for the SeekHead and Tags written by `finish()`. */
const FRONT_RESERVE = 160;
/** Room kept in Info for the Duration written by `finish()` (ID 2 + size 1 + float 8). */
const DURATION_RESERVE = 11;
/** Tag name of the frame count (the statistics tag mkvmerge writes). */
export const FRAMES_TAG = 'NUMBER_OF_FRAMES';
export const WRITING_APP = 'cam-gateway';

/** Overwrite `bytes` at absolute file offset `offset`. */
export interface Patch {
  offset: number;
  bytes: Buffer;
}

/** Where the writer's output goes: bytes to append in order, and patches of earlier bytes. */
export interface MkvOutput {
  append: Buffer[];
  patches: Patch[];
}

export interface MkvOptions {
  /** Epoch seconds of time zero (the first frame's timestamp). */
  start: number;
  /** The track's picture size (from the first JPEG); any frame may differ, as MJPEG allows. */
  width: number;
  height: number;
  /** The span in seconds, when known up front (a file streamed out in one go, never patched). */
  duration?: number;
}

/** Segment statistics, as `finish()` records them. */
export interface MkvSummary {
  /** Epoch seconds of the first frame. */
  start: number;
  /** Epoch seconds where the last frame ends (its time plus the gap before it). */
  end: number;
  frames: number;
  /** JPEG bytes (payload only). */
  frameBytes: number;
}

/** Frames counted in time order: how many, their bytes, and where the last one ends. */
export class FrameSpan {
  frames = 0;
  frameBytes = 0;
  /** Time of the last frame, units from time zero. */
  lastTime = 0;
  #lastGap = 0;

  add(time: number, bytes: number): void {
    if (this.frames > 0) this.#lastGap = time - this.lastTime;
    this.lastTime = time;
    this.frames++;
    this.frameBytes += bytes;
  }

  /** Units from time zero to the end of the last frame (shown as long as the gap before it). */
  get units(): number {
    return this.frames === 0 ? 0 : this.lastTime + this.#lastGap;
  }

  summary(start: number): MkvSummary {
    return {
      start,
      end: start + this.units / UNITS_PER_SECOND,
      frames: this.frames,
      frameBytes: this.frameBytes,
    };
  }
}

function ebmlHeader(): Buffer {
  return element(
    ID.EBML,
    uintElement(ID.EBMLVersion, 1),
    uintElement(ID.EBMLReadVersion, 1),
    uintElement(ID.EBMLMaxIDLength, 4),
    uintElement(ID.EBMLMaxSizeLength, 8),
    stringElement(ID.DocType, 'matroska'),
    uintElement(ID.DocTypeVersion, 4),
    uintElement(ID.DocTypeReadVersion, 2),
  );
}

/** DateUTC: nanoseconds since 2001-01-01, from epoch seconds (microsecond precision). */
export function dateUtc(epochSeconds: number): bigint {
  return BigInt(Math.round((epochSeconds - MATROSKA_EPOCH_S) * 1e6)) * 1000n;
}

export class MkvWriter {
  readonly #start: number;
  #position = 0;
  #segmentData = 0;
  #frontOffset = 0;
  #durationOffset = 0;
  #clusterOffset = -1;
  #clusterTime = 0;
  readonly #cues: { time: number; position: number }[] = [];
  readonly #span = new FrameSpan();
  #finished = false;

  /** Begins a file: its header goes to `out`. */
  constructor(options: MkvOptions, out: MkvOutput) {
    this.#start = options.start;
    const head = ebmlHeader();
    const segmentHead = Buffer.concat([idBytes(ID.Segment), UNKNOWN_SIZE]);
    this.#segmentData = head.length + segmentHead.length;
    this.#frontOffset = this.#segmentData;
    const infoFixed = [
      uintElement(ID.TimestampScale, TIMESTAMP_SCALE_NS),
      stringElement(ID.MuxingApp, WRITING_APP),
      stringElement(ID.WritingApp, WRITING_APP),
      int64Element(ID.DateUTC, dateUtc(options.start)),
    ];
    const duration =
      options.duration === undefined
        ? voidElement(DURATION_RESERVE)
        : floatElement(ID.Duration, Math.max(1, options.duration * UNITS_PER_SECOND));
    const info = element(ID.Info, ...infoFixed, duration);
    this.#durationOffset = this.#frontOffset + FRONT_RESERVE + info.length - DURATION_RESERVE;
    const track = element(
      ID.TrackEntry,
      uintElement(ID.TrackNumber, 1),
      uintElement(ID.TrackUID, Math.floor(options.start * 1000) % 2 ** 48 || 1),
      uintElement(ID.TrackType, 1),
      uintElement(ID.FlagLacing, 0),
      stringElement(ID.CodecID, 'V_MJPEG'),
      element(
        ID.Video,
        uintElement(ID.PixelWidth, Math.max(1, options.width)),
        uintElement(ID.PixelHeight, Math.max(1, options.height)),
      ),
    );
    this.#emit(out, head, segmentHead, voidElement(FRONT_RESERVE), info, element(ID.Tracks, track));
  }

  /** Frames written so far. */
  get frames(): number {
    return this.#span.frames;
  }

  /** Bytes of the file so far (appended; patches do not change it). */
  get size(): number {
    return this.#position;
  }

  /** What is in the file so far. */
  summary(): MkvSummary {
    return this.#span.summary(this.#start);
  }

  /**
   * Timestamp units of `timestamp` (epoch seconds) from the start, always after the previous
   * frame's (two frames in one 0.1 ms — read from one chunk — are 0.1 ms apart: players need distinct times).
   */
  #units(timestamp: number): number {
    const t = Math.round((timestamp - this.#start) * UNITS_PER_SECOND);
    return this.#span.frames === 0 ? Math.max(t, 0) : Math.max(t, this.#span.lastTime + 1);
  }

  /** Appends one JPEG at `timestamp` (epoch seconds). */
  add(jpeg: Buffer, timestamp: number, out: MkvOutput): void {
    if (this.#finished) throw new Error('the Matroska file is finished');
    const t = this.#units(timestamp);
    if (
      this.#clusterOffset < 0 ||
      t - this.#clusterTime >= CLUSTER_UNITS ||
      t - this.#clusterTime > MAX_BLOCK_OFFSET
    ) {
      this.#closeCluster(out);
      this.#clusterOffset = this.#position;
      this.#clusterTime = t;
      this.#cues.push({ time: t, position: this.#position - this.#segmentData });
      this.#emit(out, idBytes(ID.Cluster), UNKNOWN_SIZE, uintElement(ID.Timestamp, t));
    }
    const head = Buffer.allocUnsafe(jpeg.length + 4 < 2 ** 28 - 1 ? 9 : 13);
    head[0] = 0xa3;
    const sizeWidth = head.length - 5;
    writeVint(head, 1, jpeg.length + 4, sizeWidth);
    head[1 + sizeWidth] = 0x81; // track 1
    head.writeInt16BE(t - this.#clusterTime, 2 + sizeWidth);
    head[4 + sizeWidth] = 0x80; // keyframe: every JPEG stands alone
    this.#emit(out, head, jpeg);
    this.#span.add(t, jpeg.length);
  }

  /** Ends the file: cluster and segment sizes, Cues, Duration, SeekHead and Tags. */
  finish(out: MkvOutput): MkvSummary {
    if (this.#finished) return this.summary();
    this.#finished = true;
    this.#closeCluster(out);
    const cuesPosition = this.#position - this.#segmentData;
    if (this.#cues.length > 0) {
      const points = this.#cues.map((c) =>
        element(
          ID.CuePoint,
          uintElement(ID.CueTime, c.time),
          element(
            ID.CueTrackPositions,
            uintElement(ID.CueTrack, 1),
            uintElement(ID.CueClusterPosition, c.position),
          ),
        ),
      );
      this.#emit(out, element(ID.Cues, ...points));
    }
    const summary = this.summary();
    const seek =
      this.#cues.length > 0
        ? element(
            ID.SeekHead,
            element(
              ID.Seek,
              element(ID.SeekID, idBytes(ID.Cues)),
              uintElement(ID.SeekPosition, cuesPosition),
            ),
          )
        : Buffer.alloc(0);
    const tags = element(
      ID.Tags,
      element(
        ID.Tag,
        element(ID.Targets),
        element(
          ID.SimpleTag,
          stringElement(ID.TagName, FRAMES_TAG),
          stringElement(ID.TagString, String(this.#span.frames)),
        ),
      ),
    );
    const front = Buffer.concat([seek, tags]);
    out.patches.push({
      offset: this.#frontOffset,
      bytes: Buffer.concat([front, voidElement(FRONT_RESERVE - front.length)]),
    });
    const duration = Math.max(1, this.#span.units);
    out.patches.push({ offset: this.#durationOffset, bytes: floatElement(ID.Duration, duration) });
    out.patches.push({ offset: this.#segmentData - 8, bytes: vint(this.#position - this.#segmentData, 8) });
    return summary;
  }

  #closeCluster(out: MkvOutput): void {
    if (this.#clusterOffset < 0) return;
    const sizeAt = this.#clusterOffset + 4;
    out.patches.push({ offset: sizeAt, bytes: vint(this.#position - sizeAt - 8, 8) });
    this.#clusterOffset = -1;
  }

  #emit(out: MkvOutput, ...bytes: Buffer[]): void {
    for (const b of bytes) {
      out.append.push(b);
      this.#position += b.length;
    }
  }
}

/**
 * A whole file in memory: the appended bytes with every patch applied. For
 * files made in one go (clips); recordings write to disk as they go instead.
 */
export function assemble(out: MkvOutput): Buffer {
  const file = Buffer.concat(out.append);
  for (const p of out.patches) p.bytes.copy(file, p.offset);
  return file;
}
