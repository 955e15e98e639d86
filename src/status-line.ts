/**
 * The CLI's live status line: one line for all cameras, redrawn in place at
 * most once a second on a TTY (`\r` + erase line). Log lines clear it first so
 * they never interleave with it.
 */
import type { CameraStatus } from './camera/status.js';

/** `cam0 online 12.5 fps 180 kB/s 1234 frames 0 crc 1 client` for each camera, joined by ` | `. */
export function formatStatus(cameras: readonly CameraStatus[]): string {
  return cameras
    .map((c) => {
      const state = c.online ? 'online' : 'OFFLINE';
      const clients = c.clients.filter((v) => v.kind === 'stream').length;
      const idle = c.idle?.stopped ? ' idle' : '';
      return (
        `${c.name} ${state}${idle} ${c.fps.received.toFixed(1)} fps ${Math.round(c.kBps)} kB/s ` +
        `${c.frames} frames ${c.crcErrors} crc ${clients} client${clients === 1 ? '' : 's'}`
      );
    })
    .join(' | ');
}

export interface StatusLineOptions {
  /** Where to draw (a TTY stream). */
  out: NodeJS.WriteStream;
  /** What to show now. */
  read: () => readonly CameraStatus[];
  /** Redraw period, ms; default 1000. */
  intervalMs?: number;
}

export class StatusLine {
  readonly #options: StatusLineOptions;
  #timer: NodeJS.Timeout | undefined;
  #shown = false;

  constructor(options: StatusLineOptions) {
    this.#options = options;
  }

  start(): void {
    this.draw();
    this.#timer = setInterval(() => this.draw(), this.#options.intervalMs ?? 1000);
    this.#timer.unref();
  }

  draw(): void {
    const out = this.#options.out;
    const width = Math.max(20, (out.columns || 80) - 1);
    let line = formatStatus(this.#options.read());
    if (line.length > width) line = `${line.slice(0, width - 1)}…`;
    out.write(`\r\x1b[2K${line}`);
    this.#shown = true;
  }

  /** Erase the line (before a log line is written, or at exit). */
  clear(): void {
    if (!this.#shown) return;
    this.#options.out.write('\r\x1b[2K');
    this.#shown = false;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.clear();
  }
}
