/**
 * ControlSession: the one place a camera's `/control` requests become bytes on the port
 * and device answers become results. One command is in flight at a time (a reply carries
 * no request id, so overlapping commands could take each other's answers); others queue.
 */
import type { DeviceEvent, ProtocolName } from '../protocol/types.js';
import { ControlError, type ControlResult } from '../stream/camera-api.js';
import type { ControlAdapter, PreparedCommand } from './adapter.js';
import { ArducamControlAdapter } from './arducam-adapter.js';
import { ArducamMegaControlAdapter } from './arducam-mega-adapter.js';
import { CamfControlAdapter } from './camf-adapter.js';

export interface ControlSessionOptions {
  /** How long to wait for the device's answer, in ms. Default 3000. */
  timeoutMs?: number;
}

export const DEFAULT_CONTROL_TIMEOUT_MS = 3000;

/** The adapter for a protocol, or null when the protocol has no command channel (jpeg, openiris). */
export function controlAdapterFor(protocol: ProtocolName): ControlAdapter | null {
  switch (protocol) {
    case 'camf':
      return new CamfControlAdapter();
    case 'arducam':
      return new ArducamControlAdapter();
    case 'arducam-mega':
      return new ArducamMegaControlAdapter();
    default:
      return null;
  }
}

interface Job {
  command: PreparedCommand;
  resolve(result: ControlResult): void;
  reject(err: unknown): void;
  signal: AbortSignal | undefined;
  /** The caller has been answered (result, error or abort); the job may still occupy the line. */
  settled: boolean;
  onAbort?: () => void;
}

export class ControlSession {
  readonly supported: readonly string[];
  readonly #protocol: ProtocolName;
  readonly #adapter: ControlAdapter | null;
  readonly #write: (bytes: Uint8Array) => Promise<void>;
  readonly #timeoutMs: number;
  readonly #queue: Job[] = [];
  #current: Job | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;

  constructor(
    protocol: ProtocolName,
    write: (bytes: Uint8Array) => Promise<void>,
    options: ControlSessionOptions = {},
  ) {
    const { timeoutMs = DEFAULT_CONTROL_TIMEOUT_MS } = options;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new TypeError(`"timeoutMs" must be a positive number of milliseconds, got ${timeoutMs}`);
    }
    this.#protocol = protocol;
    this.#adapter = controlAdapterFor(protocol);
    this.#write = write;
    this.#timeoutMs = timeoutMs;
    this.supported = this.#adapter?.supported ?? [];
  }

  /** Send one control request; resolves with the device's answer, throws ControlError. */
  request(variable: string, value: string | undefined, signal?: AbortSignal): Promise<ControlResult> {
    if (this.#closed) return Promise.reject(new ControlError('camera is closed', 503));
    if (!this.#adapter) {
      return Promise.reject(
        new ControlError(`this camera (protocol ${this.#protocol}) accepts no controls`, 400, []),
      );
    }
    if (!this.supported.includes(variable)) {
      return Promise.reject(
        new ControlError(
          `unsupported control "${variable}" for protocol ${this.#protocol}; supported: ${this.supported.join(', ')}`,
          400,
          this.supported,
        ),
      );
    }
    let command: PreparedCommand;
    try {
      command = this.#adapter.prepare(variable, value);
    } catch (err) {
      return Promise.reject(err);
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<ControlResult>((resolve, reject) => {
      const job: Job = { command, resolve, reject, signal, settled: false };
      if (signal) {
        job.onAbort = () => this.#settle(job, { error: signal.reason });
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.#queue.push(job);
      this.#pump();
    });
  }

  /** Every decoder event flows through here; an answer to the command in flight settles it. */
  handle(event: DeviceEvent): void {
    const job = this.#current;
    if (!job || !this.#adapter) return;
    const reply = this.#adapter.match(event);
    if (reply === undefined) return;
    this.#settle(job, { result: { ok: this.#adapter.isOk(reply), reply } });
    this.#finish(job);
  }

  /** Fail everything pending with 503; later requests fail at once. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const jobs = this.#current ? [this.#current, ...this.#queue] : [...this.#queue];
    this.#queue.length = 0;
    if (this.#current) this.#finish(this.#current);
    for (const job of jobs) this.#settle(job, { error: new ControlError('camera closed', 503) });
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
    this.#write(job.command.bytes).then(
      () => {
        if (this.#current !== job) return; // answered before the write callback, or closed
        this.#timer = setTimeout(() => this.#timeout(job), this.#timeoutMs);
      },
      (err: unknown) => {
        const reason = err instanceof Error ? err.message : String(err);
        this.#settle(job, { error: new ControlError(`camera offline: ${reason}`, 503) });
        this.#finish(job);
      },
    );
  }

  #timeout(job: Job): void {
    if (this.#current !== job) return;
    if (this.#adapter?.silenceIsOk) {
      this.#settle(job, { result: { ok: true, reply: `sent ${job.command.sent}` } });
    } else {
      const seconds = Number((this.#timeoutMs / 1000).toFixed(3));
      this.#settle(job, { error: new ControlError(`camera did not answer within ${seconds} s`, 504) });
    }
    this.#finish(job);
  }
}
