/**
 * A camera: one byte source → one decoder → one ring buffer, plus what `/status`
 * shows (rates, counters, device info and logs, viewers), device control and
 * idle saving. Configuration (`CameraConfig`) is kept apart from runtime state;
 * `start()`/`stop()` come in a pair.
 */
import type { CameraConfig } from '../config.js';
import { ARDUCAM_STREAM_STOP } from '../control/arducam-adapter.js';
import { ControlSession } from '../control/session.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { createDecoder, jpegSize } from '../protocol/index.js';
import {
  type Decoder,
  type DecoderStats,
  type DeviceEvent,
  emptyStats,
  type ProtocolName,
} from '../protocol/types.js';
import type { ByteSource, SourceSink } from '../source/types.js';
import {
  type CameraHandle,
  type CameraStatus,
  type ClientStatus,
  ControlError,
  type ControlResult,
  type ViewerLease,
} from './camera-api.js';
import { nowSeconds, RingBuffer } from './ring-buffer.js';

/** Rates are averaged over this window. */
const RATE_WINDOW_S = 3;
/** Device log lines kept for `/status`. */
const LOG_LINES = 50;
/** ArduCAM: start streaming this long after opening if the sketch's "detected" line never came. */
const ARDUCAM_START_TIMEOUT_MS = 2500;
/** How long shutdown waits for the ArduCAM stop byte to go out. */
const STOP_BYTE_TIMEOUT_MS = 300;

/** Events per second over a sliding window (counts and byte sums). */
export class RateMeter {
  readonly #windowS: number;
  readonly #samples: { t: number; n: number }[] = [];
  #firstT: number | undefined;

  constructor(windowS = RATE_WINDOW_S) {
    this.#windowS = windowS;
  }

  add(n = 1, t = nowSeconds()): void {
    this.#firstT ??= t;
    // Samples are summed per 100 ms bucket, so a busy port (thousands of small reads a second) stays cheap.
    const bucket = Math.floor(t * 10) / 10;
    const last = this.#samples.at(-1);
    if (last && last.t === bucket) last.n += n;
    else this.#samples.push({ t: bucket, n });
    this.#trim(t);
  }

  /** Sum per second over the window (or since the first sample, at least 1 s, when younger). */
  rate(t = nowSeconds()): number {
    this.#trim(t);
    if (this.#firstT === undefined) return 0;
    const span = Math.max(1, Math.min(this.#windowS, t - this.#firstT));
    let sum = 0;
    for (const s of this.#samples) sum += s.n;
    return sum / span;
  }

  #trim(t: number): void {
    while (this.#samples.length > 0 && this.#samples[0]!.t < t - this.#windowS) this.#samples.shift();
  }
}

/** A viewer's public record (its fps comes from the meter). */
interface Viewer extends Omit<ClientStatus, 'fps'> {
  meter: RateMeter;
}

export interface CameraDeps {
  source: ByteSource;
  logger?: Logger;
}

export class Camera implements CameraHandle {
  readonly name: string;
  readonly config: CameraConfig;
  readonly ring: RingBuffer;
  readonly source: ByteSource;
  readonly #log: Logger;
  readonly #deviceLog: Logger;
  #decoder: Decoder;
  /** Counters of decoders replaced so far (a looping replay starts a fresh one each pass). */
  readonly #pastStats: DecoderStats = emptyStats();
  #rewinds = 0;
  #session: ControlSession | undefined;
  #detected: ProtocolName | null;
  #started = false;
  #bytes = 0;
  readonly #byteMeter = new RateMeter();
  readonly #frameMeter = new RateMeter();
  readonly #servedMeter = new RateMeter();
  #info: Record<string, unknown> | null = null;
  readonly #logs: string[] = [];
  readonly #viewers = new Map<number, Viewer>();
  #nextViewerId = 1;
  #lastError: string | null = null;
  #lastFrameSize: { index: number; width?: number; height?: number } | undefined;
  // Idle saving (--idle-stop).
  #idleTimer: NodeJS.Timeout | undefined;
  #idleStopped = false;
  // ArduCAM stream start.
  #arducamStarted = false;
  #arducamTimer: NodeJS.Timeout | undefined;

  constructor(config: CameraConfig, deps: CameraDeps) {
    this.name = config.name;
    this.config = config;
    this.source = deps.source;
    this.#log = (deps.logger ?? silentLogger).child(config.name);
    this.#deviceLog = this.#log.child('device');
    this.ring = new RingBuffer(config.ringSize);
    this.#decoder = createDecoder(config.protocol, { maxFrameBytes: config.maxFrameBytes });
    this.#detected = config.protocol === 'auto' ? null : config.protocol;
  }

  get online(): boolean {
    return this.source.online;
  }

  /** The protocol the bytes turned out to be (null while `auto` is still deciding). */
  get detectedProtocol(): ProtocolName | null {
    return this.#detected;
  }

  /** Currently attached viewers (stream clients and pending snapshots). */
  get viewers(): number {
    return this.#viewers.size;
  }

  /** Open the source; rejects with a one-line `SourceError` when it cannot be opened. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    if (this.#detected) this.#createSession(this.#detected);
    const sink: SourceSink = {
      data: (chunk) => this.#onData(chunk),
      online: () => this.#onOnline(),
      offline: (reason) => this.#onOffline(reason),
      rewind: () => this.#onRewind(),
    };
    try {
      await this.source.start(sink);
    } catch (err) {
      this.#started = false;
      this.#lastError = err instanceof Error ? err.message : String(err);
      this.#session?.close();
      this.#session = undefined;
      throw err;
    }
    this.#armIdleTimer();
  }

  /** Stop the device stream (ArduCAM stop byte first), close the source. The ring stays open. */
  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    clearTimeout(this.#idleTimer);
    clearTimeout(this.#arducamTimer);
    this.#session?.close();
    this.#session = undefined;
    if (this.#detected === 'arducam' && this.online) {
      // The sketch keeps streaming after we go; tell it to stop before the port closes.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.source.write(Uint8Array.of(ARDUCAM_STREAM_STOP)).catch(() => {}),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, STOP_BYTE_TIMEOUT_MS);
        }),
      ]);
      clearTimeout(timer);
    }
    await this.source.stop();
  }

  status(): CameraStatus {
    const t = nowSeconds();
    const stats = this.decoderStats();
    const latest = this.ring.latest();
    let lastFrame: CameraStatus['lastFrame'] = null;
    if (latest) {
      const size =
        this.#lastFrameSize?.index === latest.index
          ? this.#lastFrameSize
          : { index: latest.index, ...(jpegSize(latest.frame) ?? {}) };
      this.#lastFrameSize = size;
      lastFrame = {
        index: latest.index,
        bytes: latest.frame.length,
        timestamp: latest.timestamp,
        ...(size.width !== undefined && size.height !== undefined
          ? { width: size.width, height: size.height }
          : {}),
      };
    }
    const clients: ClientStatus[] = [...this.#viewers.values()].map((v) => ({
      id: v.id,
      kind: v.kind,
      ...(v.remote !== undefined ? { remote: v.remote } : {}),
      ...(v.fpsCap !== undefined ? { fpsCap: v.fpsCap } : {}),
      since: v.since,
      frames: v.frames,
      bytes: v.bytes,
      fps: round(v.meter.rate(t)),
    }));
    return {
      name: this.name,
      port: this.source.label,
      protocol: this.config.protocol,
      detectedProtocol: this.#detected,
      online: this.online,
      lastError: this.online ? null : (this.source.lastError ?? this.#lastError),
      fps: { received: round(this.#frameMeter.rate(t)), served: round(this.#servedMeter.rate(t)) },
      kBps: round(this.#byteMeter.rate(t) / 1000),
      frames: stats.frames,
      bytes: this.#bytes,
      bytesSkipped: stats.bytesSkipped,
      crcErrors: stats.crcErrors,
      resyncs: stats.resyncs,
      truncated: stats.truncated,
      oversized: stats.oversized,
      deviceDrops: stats.deviceDrops,
      deviceRestarts: stats.deviceRestarts,
      clients,
      lastFrame,
      info: this.#info,
      logs: [...this.#logs],
      controls: [...this.controls()],
      idle:
        this.config.idleStopSeconds === undefined
          ? null
          : { stopAfterSeconds: this.config.idleStopSeconds, stopped: this.#idleStopped },
    };
  }

  controls(): readonly string[] {
    return this.#session?.supported ?? [];
  }

  control(variable: string, value: string | undefined, signal?: AbortSignal): Promise<ControlResult> {
    if (this.config.source.kind === 'replay') {
      return Promise.reject(
        new ControlError(
          `camera ${this.name} plays a recording (${this.source.label}): it takes no commands`,
          400,
          [],
        ),
      );
    }
    if (!this.#session) {
      return Promise.reject(
        new ControlError(
          `camera ${this.name} has not been identified yet (protocol auto): wait for its first bytes or pass --protocol`,
          503,
        ),
      );
    }
    return this.#session.request(variable, value, signal);
  }

  attachViewer(meta: { kind: 'stream' | 'snapshot'; remote?: string; fpsCap?: number }): ViewerLease {
    const viewer: Viewer = {
      id: this.#nextViewerId++,
      kind: meta.kind,
      ...(meta.remote !== undefined ? { remote: meta.remote } : {}),
      ...(meta.fpsCap !== undefined ? { fpsCap: meta.fpsCap } : {}),
      since: nowSeconds(),
      frames: 0,
      bytes: 0,
      meter: new RateMeter(),
    };
    this.#viewers.set(viewer.id, viewer);
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    if (this.#idleStopped) this.#wake();
    let released = false;
    return {
      id: viewer.id,
      frameSent: (bytes: number) => {
        if (released) return;
        viewer.frames++;
        viewer.bytes += bytes;
        const t = nowSeconds();
        viewer.meter.add(1, t);
        this.#servedMeter.add(1, t);
      },
      release: () => {
        if (released) return;
        released = true;
        this.#viewers.delete(viewer.id);
        this.#armIdleTimer();
      },
    };
  }

  // ── source events ────────────────────────────────────────────────────────

  #onData(chunk: Buffer): void {
    this.#bytes += chunk.length;
    this.#byteMeter.add(chunk.length);
    this.#handle(this.#decoder.push(chunk));
  }

  #onOnline(): void {
    this.#lastError = null;
    this.#log.info(`online (${this.source.label})`);
    this.#arducamStarted = false;
    if (this.#detected === 'arducam') this.#armArducamStart();
    // A device that came back (replugged, rebooted) streams again: remind it that nobody watches.
    if (this.#idleStopped) {
      this.#session?.request('stream', '0').catch((err: unknown) => {
        this.#log.debug(`could not re-send stream=0 after reconnecting: ${(err as Error).message}`);
      });
    }
  }

  /** Decoder counters since the camera was created. */
  decoderStats(): DecoderStats {
    const total = { ...this.#pastStats };
    const now = this.#decoder.stats;
    for (const key of Object.keys(total) as (keyof DecoderStats)[]) total[key] += now[key];
    return total;
  }

  /** A replay started over: a fresh decoder, so its seq going back is not counted as a device restart. */
  #onRewind(): void {
    this.#handle(this.#decoder.end());
    this.#rewinds++;
    const old = this.#decoder.stats;
    for (const key of Object.keys(this.#pastStats) as (keyof DecoderStats)[])
      this.#pastStats[key] += old[key];
    this.#decoder = createDecoder(this.#detected ?? this.config.protocol, {
      maxFrameBytes: this.config.maxFrameBytes,
    });
  }

  #onOffline(reason: string | null): void {
    // A half-received frame is counted as truncated and forgotten: the next bytes start a fresh sync.
    this.#handle(this.#decoder.end());
    clearTimeout(this.#arducamTimer);
    if (reason) {
      this.#lastError = reason;
      this.#log.warn(`offline: ${reason}`);
    }
  }

  #handle(events: DeviceEvent[]): void {
    for (const event of events) {
      this.#session?.handle(event);
      switch (event.type) {
        case 'frame':
          if (this.ring.closed) break;
          this.ring.add(event.jpeg, event.deviceTimeUs);
          this.#frameMeter.add(1);
          break;
        case 'log':
          if (this.#rewinds > 0) {
            // A looping replay says the same things every pass: keep the first pass's lines only.
            this.#deviceLog.debug(event.text);
            break;
          }
          this.#logs.push(event.text);
          if (this.#logs.length > LOG_LINES) this.#logs.shift();
          this.#deviceLog.info(event.text);
          if (this.#detected === 'arducam' && /detected/i.test(event.text))
            this.#startArducam('sensor detected');
          break;
        case 'info':
          this.#info = event.info;
          this.#log.debug(`device info ${event.raw}`);
          break;
        case 'protocol':
          this.#detected = event.protocol;
          this.#log.info(`device speaks ${event.protocol}`);
          if (!this.#session && this.#started) this.#createSession(event.protocol);
          if (event.protocol === 'arducam') this.#armArducamStart();
          break;
        case 'restart':
          this.#log.warn('device restarted');
          break;
        case 'reply':
          break;
      }
    }
  }

  #createSession(protocol: ProtocolName): void {
    this.#session = new ControlSession(protocol, (bytes: Uint8Array) => this.source.write(bytes));
  }

  // ── ArduCAM: the sketch waits for a start byte ───────────────────────────

  #armArducamStart(): void {
    clearTimeout(this.#arducamTimer);
    const framesBefore = this.decoderStats().frames;
    this.#arducamTimer = setTimeout(() => {
      if (this.decoderStats().frames === framesBefore) this.#startArducam('no frames yet');
    }, ARDUCAM_START_TIMEOUT_MS);
  }

  #startArducam(why: string): void {
    if (this.#arducamStarted || !this.#session || !this.online || this.#idleStopped) return;
    this.#arducamStarted = true;
    clearTimeout(this.#arducamTimer);
    this.#log.info(`starting the ArduCAM stream (${why})`);
    this.#session.request('stream', '1').catch((err: unknown) => {
      this.#arducamStarted = false;
      this.#log.warn(`could not start the ArduCAM stream: ${(err as Error).message}`);
    });
  }

  // ── idle saving ──────────────────────────────────────────────────────────

  #armIdleTimer(): void {
    const seconds = this.config.idleStopSeconds;
    if (seconds === undefined || !this.#started || this.#viewers.size > 0 || this.#idleStopped) return;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => this.#idleStop(), seconds * 1000);
  }

  #idleStop(): void {
    this.#idleTimer = undefined;
    if (this.#viewers.size > 0 || !this.#started) return;
    if (!this.#session?.supported.includes('stream')) {
      this.#log.debug('idle, but this device cannot be told to stop streaming');
      return;
    }
    this.#idleStopped = true;
    this.#log.info(`no viewer for ${this.config.idleStopSeconds} s: stopping the device stream`);
    this.#session.request('stream', '0').catch((err: unknown) => {
      this.#log.warn(`could not stop the device stream: ${(err as Error).message}`);
    });
  }

  #wake(): void {
    this.#idleStopped = false;
    this.#log.info('viewer attached: restarting the device stream');
    this.#session?.request('stream', '1').catch((err: unknown) => {
      this.#log.warn(`could not restart the device stream: ${(err as Error).message}`);
    });
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
