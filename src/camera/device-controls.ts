/**
 * The one place a camera's control requests become bytes on its port and the
 * device's answers become results. Requests are validated against the command
 * set's schema before anything is sent; one command is in flight at a time (a
 * reply carries no request id, so overlapping commands could take each other's
 * answers) and a bounded number wait behind it. The command set follows the
 * device's variant (ArduCAM: the sensor its greeting names, unless forced).
 */
import { ControlError } from '../control/errors.js';
import { type ControlDef, type ControlSpec, parseControlValue, withValue } from '../control/schema.js';
import type { CommandSet, PreparedCommand, ProtocolControls } from '../protocol/module.js';
import type { DeviceEvent } from '../protocol/types.js';
import { SourceError } from '../source/types.js';
import type { ControlResult } from './handle.js';

/** The controls of a camera, whatever carries them out (a device, or the gateway for a recording). */
export interface CameraControls {
  /** The controls honoured now, with current values when known. */
  schema(): ControlSpec[];
  request(name: string, value: string | undefined, signal?: AbortSignal): Promise<ControlResult>;
  /** Every decoded event (replies, device text naming the variant, info with values). */
  handle(event: DeviceEvent): void;
  /** The variant in use (`ov2640`), if the protocol has variants. */
  readonly variant: string | null;
  /** Fail everything pending; later requests fail at once. */
  close(): void;
}

export interface DeviceControlsOptions {
  /** How long to wait for the device's answer, in ms. Default 3000. */
  timeoutMs?: number;
  /** Use this variant whatever the device says (`--sensor`). */
  variant?: string;
  /** Most requests waiting behind the one in flight; more are refused as `busy`. Default 16. */
  maxQueued?: number;
}

export const DEFAULT_CONTROL_TIMEOUT_MS = 3000;

interface Job {
  command: PreparedCommand;
  name: string;
  canonical: string | undefined;
  resolve(result: ControlResult): void;
  reject(err: unknown): void;
  signal: AbortSignal | undefined;
  /** The caller has been answered (result, error or abort); the job may still occupy the line. */
  settled: boolean;
  /** The bytes left for the port (the write completed). */
  written: boolean;
  onAbort?: () => void;
}

export class DeviceControls implements CameraControls {
  readonly #protocol: string;
  readonly #controls: ProtocolControls;
  readonly #forced: boolean;
  readonly #write: (bytes: Uint8Array) => Promise<void>;
  readonly #timeoutMs: number;
  readonly #maxQueued: number;
  readonly #queue: Job[] = [];
  /** Last known value per control (from successful requests and device info). */
  readonly #values = new Map<string, unknown>();
  #variant: string;
  #set: CommandSet;
  #defs: ReadonlyMap<string, ControlDef>;
  #current: Job | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;

  constructor(
    protocol: string,
    controls: ProtocolControls,
    write: (bytes: Uint8Array) => Promise<void>,
    options: DeviceControlsOptions = {},
  ) {
    const { timeoutMs = DEFAULT_CONTROL_TIMEOUT_MS, maxQueued = 16 } = options;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new TypeError(`"timeoutMs" must be a positive number of milliseconds, got ${timeoutMs}`);
    }
    if (options.variant !== undefined && !controls.variants.includes(options.variant)) {
      throw new TypeError(
        `"variant" must be one of ${controls.variants.join(', ')} for ${protocol}, got "${options.variant}"`,
      );
    }
    this.#protocol = protocol;
    this.#controls = controls;
    this.#forced = options.variant !== undefined;
    this.#write = write;
    this.#timeoutMs = timeoutMs;
    this.#maxQueued = maxQueued;
    this.#variant = options.variant ?? controls.variants[0]!;
    this.#set = controls.commandSet(this.#variant);
    this.#defs = new Map(this.#set.controls.map((d) => [d.spec.name, d]));
  }

  get variant(): string {
    return this.#variant;
  }

  /** Names of the controls honoured now. */
  get names(): string[] {
    return [...this.#defs.keys()];
  }

  schema(): ControlSpec[] {
    return this.#set.controls.map((d) =>
      this.#values.has(d.spec.name) ? withValue(d.spec, this.#values.get(d.spec.name)) : d.spec,
    );
  }

  /** Send one control request; resolves with the device's answer, rejects with a ControlError. */
  request(name: string, value: string | undefined, signal?: AbortSignal): Promise<ControlResult> {
    if (this.#closed) return Promise.reject(new ControlError('offline', 'camera is closed'));
    const def = this.#defs.get(name);
    if (!def) {
      const supported = this.names;
      return Promise.reject(
        new ControlError(
          'unsupported',
          `unsupported control "${name}" for ${this.#protocol} (${this.#variant}); supported: ${supported.join(', ')}`,
          { supported, parameter: 'var' },
        ),
      );
    }
    let command: PreparedCommand;
    let canonical: string | undefined;
    try {
      canonical = parseControlValue(def, value);
      command = this.#set.encode(name, canonical);
    } catch (err) {
      return Promise.reject(err);
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#queue.length >= this.#maxQueued) {
      return Promise.reject(
        new ControlError(
          'busy',
          `${this.#queue.length} commands are already waiting for this camera; try again`,
        ),
      );
    }
    return new Promise<ControlResult>((resolve, reject) => {
      const job: Job = { command, name, canonical, resolve, reject, signal, settled: false, written: false };
      if (signal) {
        job.onAbort = () => this.#settle(job, { error: signal.reason });
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.#queue.push(job);
      this.#pump();
    });
  }

  /** Every decoder event flows through here: answers settle the command in flight, device text may name the variant. */
  handle(event: DeviceEvent): void {
    if (event.type === 'log' && !this.#forced) {
      const variant = this.#controls.variantFromText?.(event.text);
      if (variant !== undefined && variant !== this.#variant) this.#useVariant(variant);
    }
    if (event.type === 'info') {
      const values = this.#set.infoValues?.(event.info) ?? event.info;
      for (const [key, v] of Object.entries(values)) if (this.#defs.has(key)) this.#values.set(key, v);
    }
    const job = this.#current;
    if (!job) return;
    const reply = this.#set.match(event);
    if (reply === undefined) return;
    this.#answer(job, { ok: this.#set.isOk(reply), reply });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const jobs = this.#current ? [this.#current, ...this.#queue] : [...this.#queue];
    this.#queue.length = 0;
    if (this.#current) this.#finish(this.#current);
    for (const job of jobs) this.#settle(job, { error: new ControlError('offline', 'camera closed') });
  }

  #useVariant(variant: string): void {
    if (!this.#controls.variants.includes(variant)) return;
    this.#variant = variant;
    this.#set = this.#controls.commandSet(variant);
    this.#defs = new Map(this.#set.controls.map((d) => [d.spec.name, d]));
    this.#values.clear();
  }

  #answer(job: Job, result: ControlResult): void {
    if (result.ok && job.canonical !== undefined) this.#values.set(job.name, job.canonical);
    this.#settle(job, { result });
    this.#finish(job);
  }

  #settle(job: Job, outcome: { result: ControlResult } | { error: unknown }): void {
    if (job.settled) return;
    job.settled = true;
    if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort);
    if ('result' in outcome) job.resolve(outcome.result);
    else job.reject(outcome.error);
    // A job aborted while still queued never needs the line.
    const queued = this.#queue.indexOf(job);
    if (queued >= 0) this.#queue.splice(queued, 1);
  }

  /** The line is free again: the job in flight got its answer, timed out or failed to send. */
  #finish(job: Job): void {
    if (this.#current !== job) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#current = null;
    this.#pump();
  }

  #pump(): void {
    if (this.#current || this.#closed) return;
    const job = this.#queue.shift();
    if (!job) return;
    this.#current = job;
    if (job.settled) {
      // Aborted while queued: nothing was sent for it.
      this.#finish(job);
      return;
    }
    // The answer clock starts now: a write that never completes (a device that stops reading) is a timeout too.
    this.#timer = setTimeout(() => this.#timeout(job), this.#timeoutMs);
    this.#write(job.command.bytes).then(
      () => {
        job.written = true;
      },
      (err: unknown) => {
        if (this.#current !== job) return;
        const reason = err instanceof Error ? err.message : String(err);
        // The device does not read its input (the port's write queue is full, or a write timed out).
        const stuck = err instanceof SourceError && (err.code === 'FULL' || err.code === 'TIMEOUT');
        this.#settle(job, {
          error: stuck
            ? new ControlError('timeout', reason)
            : new ControlError('offline', `camera offline: ${reason}`),
        });
        this.#finish(job);
      },
    );
  }

  #timeout(job: Job): void {
    if (this.#current !== job) return;
    const seconds = Number((this.#timeoutMs / 1000).toFixed(3));
    if (!job.written) {
      this.#settle(job, {
        error: new ControlError(
          'timeout',
          `the command could not be written within ${seconds} s: the device is not reading its input`,
        ),
      });
      this.#finish(job);
      return;
    }
    if (this.#set.silenceIsOk) {
      this.#answer(job, { ok: true, reply: `sent ${job.command.sent}` });
      return;
    }
    this.#settle(job, { error: new ControlError('timeout', `camera did not answer within ${seconds} s`) });
    this.#finish(job);
  }
}
