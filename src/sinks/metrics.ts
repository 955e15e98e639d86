/**
 * `/metrics`: the gateway in the Prometheus text format, with `prom-client`.
 * Every value is read when scraped (from each camera's status and the
 * recording's), so the frame path pays nothing for it. One registry per
 * gateway for the camera and recording metrics, plus prom-client's process
 * metrics (CPU, memory, event loop, handles), collected once per process.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { CameraHandle } from '../camera/handle.js';
import type { CameraStatus } from '../camera/status.js';
import type { RecordingStatus } from './recording/service.js';

export const METRIC_PREFIX = 'cam_gateway_';

/** What the metrics read. */
export interface MetricsSources {
  /** The cameras now (a relay's list grows as cameras appear on the bus). */
  cameras: () => readonly MeteredCamera[];
  /** The recording's status; null or absent when the gateway does not record. */
  recording?: () => RecordingStatus | null;
}

/** What the metrics read of a camera. */
export type MeteredCamera = Pick<CameraHandle, 'name' | 'status' | 'onFrameAge'>;

type CameraRead = (s: CameraStatus) => number;

/**
 * Buckets of the frame-age histogram, seconds: a fast reader's frames are a few milliseconds
 * old, a paced one's up to a frame interval, a reader that falls behind's seconds.
 */
export const FRAME_AGE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
type RecordingCameraRead = (s: RecordingStatus['cameras'][string]) => number;

/** Per camera, read from its status: [name without prefix, help, counter or gauge, value]. */
const CAMERA_METRICS: readonly [string, string, 'counter' | 'gauge', CameraRead][] = [
  ['frames_received_total', 'JPEG frames received from the device', 'counter', (s) => s.frames],
  ['bytes_received_total', 'bytes read from the device', 'counter', (s) => s.bytes],
  [
    'bytes_skipped_total',
    'bytes between frames that were not part of any frame (junk, noise)',
    'counter',
    (s) => s.bytesSkipped,
  ],
  ['crc_errors_total', 'frames dropped for a bad CRC (CAMF)', 'counter', (s) => s.crcErrors],
  ['resyncs_total', 'times the decoder lost and found the framing again', 'counter', (s) => s.resyncs],
  [
    'truncated_frames_total',
    'frames cut short (a new frame or the port closing before their end)',
    'counter',
    (s) => s.truncated,
  ],
  [
    'oversized_frames_total',
    'frames dropped for being over --max-frame-bytes',
    'counter',
    (s) => s.oversized,
  ],
  [
    'device_drops_total',
    'frames the device numbered but never arrived (CAMF sequence gaps)',
    'counter',
    (s) => s.deviceDrops,
  ],
  ['device_restarts_total', 'device restarts seen in the stream', 'counter', (s) => s.deviceRestarts],
  ['online', '1 while the camera is connected', 'gauge', (s) => (s.online ? 1 : 0)],
  ['fps_in', 'frames per second received, over the last 3 s', 'gauge', (s) => s.fps.received],
  [
    'fps_out',
    'frames per second sent to all viewers together, over the last 3 s',
    'gauge',
    (s) => s.fps.served,
  ],
  ['viewers', 'stream clients and pending snapshots', 'gauge', (s) => s.clients.length],
];

/** Per camera, read from the recording's status. */
const RECORDING_CAMERA_METRICS: readonly [string, string, RecordingCameraRead][] = [
  ['recording_frames_total', 'frames written to segment files', (s) => s.frames],
  ['recording_bytes_total', 'bytes written to segment files', (s) => s.bytes],
  ['recording_segments_total', 'segment files started', (s) => s.segments],
  ['recording_errors_total', 'failed writes (creating, writing or finishing a file)', (s) => s.errors],
  [
    'recording_dropped_frames_total',
    'frames not recorded: the disk could not keep up, or a write had failed',
    (s) => s.dropped + s.lost,
  ],
  ['timelapse_frames_total', 'timelapse frames stored', (s) => s.timelapseFrames],
];

/** For the whole recording folder. */
const RECORDING_METRICS: readonly [string, string, (s: RecordingStatus) => number][] = [
  [
    'recording_paused',
    '1 while recording is paused for free space (--min-free)',
    (s) => (s.state === 'paused' ? 1 : 0),
  ],
  ['disk_free_bytes', 'free bytes on the recording disk', (s) => s.disk.free],
  ['recordings_bytes', 'bytes of all files in the recording folder', (s) => s.bytes],
  ['recordings_files', 'files in the recording folder', (s) => s.files],
];

let processRegistry: Registry | undefined;

/** prom-client's process metrics, registered once per process (they describe the process, not a gateway). */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

type Sample = [labels: Record<string, string>, value: number];

/**
 * A metric whose samples are read at each scrape. A counter here mirrors a running total kept
 * elsewhere, so it is set to that total each time (reset, then incremented by it).
 */
function scraped(
  registry: Registry,
  type: 'counter' | 'gauge',
  name: string,
  help: string,
  labelNames: readonly string[],
  samples: () => Sample[],
): void {
  const config = { name: METRIC_PREFIX + name, help, labelNames, registers: [registry] };
  if (type === 'counter') {
    new Counter({
      ...config,
      collect() {
        this.reset();
        for (const [labels, value] of samples()) this.inc(labels, value);
      },
    });
  } else {
    new Gauge({
      ...config,
      collect() {
        this.reset();
        for (const [labels, value] of samples()) this.set(labels, value);
      },
    });
  }
}

export class GatewayMetrics {
  readonly #registry = new Registry();
  readonly #sources: MetricsSources;
  /** Read once per scrape, by every metric. */
  #cameras: CameraStatus[] = [];
  #recording: RecordingStatus | null = null;
  readonly #frameAge: Histogram<'camera'>;
  /** Cameras whose frame ages the histogram counts. */
  readonly #watched = new WeakSet<MeteredCamera>();

  constructor(sources: MetricsSources) {
    this.#sources = sources;
    const r = this.#registry;
    this.#frameAge = new Histogram({
      name: `${METRIC_PREFIX}client_frame_age_seconds`,
      help: 'age of the frames stream clients read (since the camera delivered them), as far as TCP tells',
      labelNames: ['camera'],
      buckets: FRAME_AGE_BUCKETS,
      registers: [r],
    });
    this.#watchFrameAges();
    for (const [name, help, type, read] of CAMERA_METRICS) {
      scraped(r, type, name, help, ['camera'], () => this.#cameras.map((s) => [{ camera: s.name }, read(s)]));
    }
    if (!sources.recording) return;
    for (const [name, help, read] of RECORDING_CAMERA_METRICS) {
      scraped(r, 'counter', name, help, ['camera'], () =>
        Object.entries(this.#recording?.cameras ?? {}).map(([camera, s]) => [{ camera }, read(s)]),
      );
    }
    for (const [name, help, read] of RECORDING_METRICS) {
      scraped(r, 'gauge', name, help, [], () => (this.#recording ? [[{}, read(this.#recording)]] : []));
    }
  }

  /** Count the frame ages of every camera not yet counted (a relay's list grows: checked at each scrape too). */
  #watchFrameAges(): void {
    for (const camera of this.#sources.cameras()) {
      if (this.#watched.has(camera)) continue;
      this.#watched.add(camera);
      const observed = this.#frameAge.labels({ camera: camera.name });
      camera.onFrameAge((seconds) => observed.observe(seconds));
    }
  }

  /** `Content-Type` of `scrape()`'s text. */
  get contentType(): string {
    return this.#registry.contentType;
  }

  /** Every metric, in the Prometheus text format. */
  async scrape(): Promise<string> {
    this.#watchFrameAges();
    this.#cameras = this.#sources.cameras().map((c) => c.status());
    this.#recording = this.#sources.recording?.() ?? null;
    const own = await this.#registry.metrics();
    return `${own}\n${await processMetrics().metrics()}`;
  }
}
