/**
 * The text a device prints, kept for `/status` and forwarded to the log with the
 * camera's name — bounded whatever the device sends: each line is cut to
 * `maxLineChars` (marked as cut), only the last `keep` lines are kept, control
 * characters are escaped before they reach a terminal (no forged log lines, no
 * ANSI escapes), and a flood is rate-limited with one "N lines suppressed" note.
 */
import type { Logger } from '../log.js';

export interface DeviceLogOptions {
  /** Lines kept for `/status`. Default 50. */
  keep?: number;
  /** Longest line kept or printed, in characters. Default 1024. */
  maxLineChars?: number;
  /** Lines printed per second on average. Default 20. */
  linesPerSecond?: number;
  /** Lines printed in a burst before the rate applies. Default 50. */
  burst?: number;
}

/** Escape what a terminal would interpret: C0/C1 controls (ESC, CR, LF, BEL …), DEL, line/paragraph separators and bidi overrides. */
export function escapeDeviceText(text: string): string {
  return text.replace(/[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** `text` cut to `max` characters, with a note saying how much was cut. */
export function cutLine(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more characters cut]`;
}

export class DeviceLog {
  readonly #log: Logger;
  readonly #keep: number;
  readonly #max: number;
  readonly #rate: number;
  readonly #burst: number;
  readonly #lines: string[] = [];
  #tokens: number;
  #refilledAt = performance.now();
  #suppressed = 0;
  #noteTimer: NodeJS.Timeout | undefined;

  constructor(log: Logger, options: DeviceLogOptions = {}) {
    this.#log = log;
    this.#keep = options.keep ?? 50;
    this.#max = options.maxLineChars ?? 1024;
    this.#rate = options.linesPerSecond ?? 20;
    this.#burst = options.burst ?? 50;
    this.#tokens = this.#burst;
  }

  /** The kept lines, oldest first (already cut; not escaped: JSON carries them safely). */
  lines(): string[] {
    return [...this.#lines];
  }

  /** A line the device printed. `keep: false` prints it at debug level only (a looping replay's later passes). */
  add(text: string, keep = true): void {
    const line = cutLine(text, this.#max);
    if (!keep) {
      this.#log.debug(escapeDeviceText(line));
      return;
    }
    this.#lines.push(line);
    if (this.#lines.length > this.#keep) this.#lines.shift();
    if (this.#take()) {
      this.#flushNote();
      this.#log.info(escapeDeviceText(line));
    } else {
      this.#suppressed++;
      this.#noteTimer ??= setTimeout(() => {
        this.#noteTimer = undefined;
        this.#flushNote();
      }, 1000).unref();
    }
  }

  /** Forget timers (the camera stops). */
  close(): void {
    clearTimeout(this.#noteTimer);
    this.#noteTimer = undefined;
    this.#flushNote();
  }

  #take(): boolean {
    const now = performance.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#refilledAt) / 1000) * this.#rate);
    this.#refilledAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  #flushNote(): void {
    if (this.#suppressed === 0) return;
    const n = this.#suppressed;
    this.#suppressed = 0;
    this.#log.warn(`${n} device line${n === 1 ? '' : 's'} suppressed (more than ${this.#rate} a second)`);
  }
}
