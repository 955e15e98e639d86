/**
 * A camera: one byte source → one decoder → one ring buffer. This module only
 * wires the parts, each in its own module: the decoder's lifetime
 * (`decoding.ts`), the controls (`device-controls.ts`, or `playback-controls.ts`
 * for a recording), the protocol's own driver (ArduCAM start/stop, in its
 * protocol folder), viewers (`viewers.ts`), device text (`device-log.ts`), idle
 * saving (`idle.ts`) and the `/status` snapshot (`status.ts`).
 * Configuration is kept apart from runtime state; `start()`/`stop()` come in a pair.
 */
import { ControlError } from '../control/errors.js';
import type { ControlSpec } from '../control/schema.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import type { CameraEvent, ProtocolEvent } from '../protocol/detect.js';
import { jpegSize } from '../protocol/jpeg/info.js';
import type { DeviceDriver } from '../protocol/module.js';
import { type ProtocolName, type ProtocolOption, protocolModule } from '../protocol/registry.js';
import type { DecoderStats } from '../protocol/types.js';
import { type ByteSource, isPausable, type SourceSink } from '../source/types.js';
import { nowSeconds, RingBuffer } from '../stream/ring-buffer.js';
import { Decoding } from './decoding.js';
import { type CameraControls, DeviceControls } from './device-controls.js';
import { DeviceLog } from './device-log.js';
import type { CameraHandle, ControlResult, ViewerLease, ViewerMeta } from './handle.js';
import { IdleStop } from './idle.js';
import { PlaybackControls } from './playback-controls.js';
import { RateMeter, round1 } from './rates.js';
import type { CameraStatus } from './status.js';
import { ViewerRegistry } from './viewers.js';

/** How long shutdown waits for a farewell command (ArduCAM stop byte) to go out. */
const FAREWELL_TIMEOUT_MS = 300;
/** Device info larger than this (JSON text) is not kept: `/status` stays small whatever a device sends. */
const MAX_INFO_CHARS = 8192;

/** What a camera is, apart from where its bytes come from. */
export interface CameraSettings {
  name: string;
  protocol: ProtocolOption;
  maxFrameBytes: number;
  ringSize: number;
  /** Undefined when idle saving is off. */
  idleStopSeconds?: number;
  /** Force the device variant (`--sensor`); default: what the device says, else the protocol's first. */
  sensor?: string;
  /** Wait this long for a device's answer to a control; default 3000 ms. */
  controlTimeoutMs?: number;
}

export interface CameraDeps {
  source: ByteSource;
  logger?: Logger;
}

export class Camera implements CameraHandle {
  readonly name: string;
  readonly settings: CameraSettings;
  readonly ring: RingBuffer;
  readonly source: ByteSource;
  readonly #log: Logger;
  readonly #deviceLog: DeviceLog;
  readonly #decoding: Decoding;
  readonly #viewers: ViewerRegistry;
  readonly #idle: IdleStop | undefined;
  #controls: CameraControls | undefined;
  #driver: DeviceDriver | undefined;
  #started = false;
  readonly #byteMeter = new RateMeter();
  readonly #frameMeter = new RateMeter();
  #info: Record<string, unknown> | null = null;
  #lastError: string | null = null;
  #lastFrameSize: { index: number; width?: number; height?: number } | undefined;

  constructor(settings: CameraSettings, deps: CameraDeps) {
    this.name = settings.name;
    this.settings = settings;
    this.source = deps.source;
    this.#log = (deps.logger ?? silentLogger).child(settings.name);
    this.#deviceLog = new DeviceLog(this.#log.child('device'));
    this.ring = new RingBuffer(settings.ringSize);
    this.#decoding = new Decoding(settings.protocol, settings.maxFrameBytes);
    this.#idle =
      settings.idleStopSeconds === undefined
        ? undefined
        : new IdleStop(settings.idleStopSeconds, () => this.#controls, this.#log);
    this.#viewers = new ViewerRegistry({
      first: () => this.#idle?.viewerArrived(),
      empty: () => {
        if (this.#started) this.#idle?.arm();
      },
    });
  }

  get online(): boolean {
    return this.source.online;
  }

  /** The protocol the bytes turned out to be (null while `auto` is still deciding). */
  get detectedProtocol(): ProtocolName | null {
    return this.#decoding.detected;
  }

  /** Currently attached viewers (stream clients and pending snapshots). */
  get viewers(): number {
    return this.#viewers.size;
  }

  /** Open the source; rejects with a one-line `SourceError` when it cannot be opened. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    this.#setUpControls();
    const sink: SourceSink = {
      data: (chunk) => this.#onData(chunk),
      online: () => this.#onOnline(),
      offline: (reason) => this.#onOffline(reason),
      rewind: () => this.#handle(this.#decoding.rewind()),
    };
    try {
      await this.source.start(sink);
    } catch (err) {
      this.#started = false;
      this.#lastError = err instanceof Error ? err.message : String(err);
      this.#tearDownControls();
      throw err;
    }
    if (this.#viewers.size === 0) this.#idle?.arm();
  }

  /** Say goodbye to the device (ArduCAM stop byte), close the source. The ring stays open. */
  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    this.#idle?.close();
    const farewell = this.#driver?.farewell();
    this.#tearDownControls();
    this.#deviceLog.close();
    if (farewell && this.online) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.source.write(farewell).catch(() => {}),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, FAREWELL_TIMEOUT_MS);
        }),
      ]);
      clearTimeout(timer);
    }
    await this.source.stop();
  }

  status(): CameraStatus {
    const t = nowSeconds();
    const { bytesIn, ...counters } = this.decoderStats();
    return {
      name: this.name,
      port: this.source.label,
      protocol: this.settings.protocol,
      detectedProtocol: this.#decoding.detected,
      protocolSwitches: this.#decoding.switches,
      sensor: this.#controls?.variant ?? null,
      online: this.online,
      // A source can have a problem while it delivers (a recording that stopped): shown then too.
      lastError: this.source.lastError ?? (this.online ? null : this.#lastError),
      fps: { received: round1(this.#frameMeter.rate(t)), served: round1(this.#viewers.servedFps(t)) },
      kBps: round1(this.#byteMeter.rate(t) / 1000),
      bytes: bytesIn,
      ...counters,
      clients: this.#viewers.list(t),
      lastFrame: this.#lastFrame(),
      info: this.#info,
      logs: this.#deviceLog.lines(),
      controls: this.controls(),
      idle: this.#idle ? { stopAfterSeconds: this.#idle.seconds, stopped: this.#idle.stopped } : null,
    };
  }

  controls(): ControlSpec[] {
    return this.#controls?.schema() ?? [];
  }

  control(name: string, value: string | undefined, signal?: AbortSignal): Promise<ControlResult> {
    if (!this.#controls) {
      const why =
        this.#decoding.detected === null
          ? `camera ${this.name} has not been identified yet (protocol auto): wait for its first bytes or pass --protocol`
          : `camera ${this.name} (protocol ${this.#decoding.detected}) takes no commands`;
      return Promise.reject(new ControlError('unavailable', why, { supported: [] }));
    }
    return this.#controls.request(name, value, signal);
  }

  attachViewer(meta: ViewerMeta): ViewerLease {
    return this.#viewers.attach(meta);
  }

  onFrameAge(listener: (ageSeconds: number) => void): () => void {
    return this.#viewers.onFrameAge(listener);
  }

  /** Decoder counters since the camera was created. */
  decoderStats(): DecoderStats {
    return this.#decoding.stats();
  }

  // ── controls and the protocol driver ─────────────────────────────────────

  #setUpControls(): void {
    if (this.#controls) return;
    if (isPausable(this.source)) {
      this.#controls = new PlaybackControls(this.source, this.ring, this.settings.controlTimeoutMs);
      return;
    }
    const protocol = this.#decoding.detected;
    if (protocol === null) return;
    const module = protocolModule(protocol);
    if (module.controls) {
      const sensor = this.settings.sensor;
      const forced = sensor !== undefined && module.controls.variants.includes(sensor);
      if (sensor !== undefined && !forced)
        this.#log.warn(`--sensor ${sensor} does not apply to ${protocol}: ignored`);
      this.#controls = new DeviceControls(protocol, module.controls, (bytes) => this.source.write(bytes), {
        ...(this.settings.controlTimeoutMs !== undefined
          ? { timeoutMs: this.settings.controlTimeoutMs }
          : {}),
        ...(forced ? { variant: sensor } : {}),
      });
    }
    this.#driver = module.createDriver?.({
      request: (name, value) => this.control(name, value),
      frames: () => this.decoderStats().frames,
      online: () => this.online,
      idleStopped: () => this.#idle?.stopped ?? false,
      info: (m) => this.#log.info(m),
      warn: (m) => this.#log.warn(m),
    });
  }

  /** Auto-detection decided, or switched from a guess to a framed protocol: use that protocol's controls. */
  #onProtocol(event: ProtocolEvent): void {
    if (event.previous) {
      this.#log.warn(
        `device speaks ${event.protocol}, not ${event.previous}: a ${event.protocol} frame showed up; decoding and controls switched`,
      );
    } else {
      this.#log.info(`device speaks ${event.protocol}`);
    }
    if (!this.#started || this.#controls instanceof PlaybackControls) return;
    if (event.previous) this.#tearDownControls();
    if (this.#controls) return;
    this.#setUpControls();
    if (this.online) this.#driver?.online();
  }

  #tearDownControls(): void {
    this.#driver?.close();
    this.#driver = undefined;
    this.#controls?.close();
    this.#controls = undefined;
  }

  // ── source events ────────────────────────────────────────────────────────

  #onData(chunk: Buffer): void {
    this.#byteMeter.add(chunk.length);
    this.#handle(this.#decoding.push(chunk));
  }

  #onOnline(): void {
    this.#lastError = null;
    this.#log.info(`online (${this.source.label})`);
    this.#driver?.online();
    this.#idle?.online();
  }

  #onOffline(reason: string | null): void {
    // A half-received frame is counted as truncated and forgotten: the next bytes start a fresh sync.
    this.#handle(this.#decoding.end());
    this.#driver?.offline();
    if (reason) {
      this.#lastError = reason;
      this.#log.warn(`offline: ${reason}`);
    }
  }

  #handle(events: readonly CameraEvent[]): void {
    for (const event of events) {
      if (event.type === 'protocol') {
        this.#onProtocol(event);
        continue;
      }
      this.#controls?.handle(event);
      this.#driver?.event(event);
      switch (event.type) {
        case 'frame':
          if (this.ring.closed) break;
          this.ring.add(event.jpeg, event.deviceTimeUs);
          this.#frameMeter.add(1);
          break;
        case 'log':
          // A looping replay says the same things every pass: keep the first pass's lines only.
          this.#deviceLog.add(event.text, this.#decoding.rewinds === 0);
          break;
        case 'info':
          this.#info =
            event.raw.length <= MAX_INFO_CHARS
              ? event.info
              : { note: `device info of ${event.raw.length} characters not kept (over ${MAX_INFO_CHARS})` };
          this.#log.debug(`device info ${event.raw.slice(0, MAX_INFO_CHARS)}`);
          break;
        case 'restart':
          this.#log.warn('device restarted');
          break;
        case 'reply':
          break;
      }
    }
  }

  #lastFrame(): CameraStatus['lastFrame'] {
    const latest = this.ring.latest();
    if (!latest) return null;
    const size =
      this.#lastFrameSize?.index === latest.index
        ? this.#lastFrameSize
        : { index: latest.index, ...(jpegSize(latest.frame) ?? {}) };
    this.#lastFrameSize = size;
    return {
      index: latest.index,
      bytes: latest.frame.length,
      timestamp: latest.timestamp,
      ...(size.width !== undefined && size.height !== undefined
        ? { width: size.width, height: size.height }
        : {}),
    };
  }
}
