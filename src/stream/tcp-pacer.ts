/**
 * The Node writer's side of latency-bounded delivery (`freshness.ts` decides): looks at the
 * client's TCP connection (`src/platform/tcp.ts`), writes the probe bytes, polls while a paced
 * client has a part outstanding, and wakes the delivery once the reader took it. Fast clients
 * cost one `TCP_INFO` read every few frames and nothing else. Linux only: `TcpPacer.create()`
 * returns undefined elsewhere (the writer then does what it always did).
 */
import {
  emptyTcpView,
  readTcpView,
  setNotSentLowat,
  socketFd,
  type TcpView,
  tcpUnavailable,
} from '../platform/tcp.js';
import { Freshness, type FreshnessStats } from './freshness.js';
import { PART_PREFIX } from './mjpeg-format.js';
import type { RingBuffer, RingbufferEntry } from './ring-buffer.js';

/** The socket as far as the pacer uses it. */
export interface PacedSocket {
  write(chunk: Uint8Array): boolean;
  readonly writableLength: number;
  readonly destroyed: boolean;
}

export interface TcpPacerOptions {
  /** The ring the frames come from (for the camera's frame interval). */
  ring: RingBuffer;
  /** The delivery should decide again (the reader took the last part). */
  wake(): void;
  /** The client read a frame `ageSeconds` after the camera delivered it. */
  onConsumed?: (ageSeconds: number) => void;
}

type Timer = ReturnType<typeof setTimeout>;

/** Fast, after a skipped frame: the delivery decides again this soon (the backlog may be read by then). */
const SKIP_RETRY_MS = 10;

export class TcpPacer {
  readonly #socket: PacedSocket;
  readonly #fd: number;
  readonly #options: TcpPacerOptions;
  readonly #fresh = new Freshness({ probeBytes: PART_PREFIX.length });
  readonly #view: TcpView = emptyTcpView();
  #timer: Timer | undefined;
  #reported = 0;
  readonly #ring: RingBuffer;
  /** The camera's frame interval, smoothed, ms (0: not known yet). */
  #intervalMs = 0;
  #stopped = false;

  private constructor(socket: PacedSocket, fd: number, options: TcpPacerOptions) {
    this.#socket = socket;
    this.#fd = fd;
    this.#options = options;
    this.#ring = options.ring;
  }

  /**
   * A pacer for `socket` (a Node TCP socket whose every part starts with `PART_PREFIX`), or
   * undefined when TCP_INFO cannot be read here (`tcpUnavailable()` says why).
   */
  static create(socket: PacedSocket, options: TcpPacerOptions): TcpPacer | undefined {
    const fd = socketFd(socket);
    if (fd === undefined || tcpUnavailable() !== undefined) return undefined;
    const pacer = new TcpPacer(socket, fd, options);
    if (!pacer.#look()) return undefined;
    // The kernel keeps at most one part unsent: Node's backpressure then means "not sent", not "4 MB queued".
    setNotSentLowat(fd, 1);
    return pacer;
  }

  stats(): FreshnessStats {
    return this.#fresh.stats();
  }

  /** May the next part go out now? */
  ready(): boolean {
    const fresh = this.#fresh;
    const now = performance.now();
    if (fresh.waiting) {
      this.#poll(now);
      return fresh.ready(now, null);
    }
    if (!fresh.checkDue) return true;
    if (!this.#look()) return true;
    const ok = fresh.ready(now, this.#view);
    this.#report();
    if (!ok) {
      if (fresh.takeProbeWanted() && this.#socket.writableLength === 0) this.#probe(now, true);
      if (fresh.waiting) this.#schedule();
      // Fast, a frame skipped: look again soon. If the camera goes still, that frame is the newest
      // and must still go out once the backlog is read, not at the next re-send (a second later).
      else this.#retrySoon();
    }
    return ok;
  }

  /** The bytes of `part` still to write (its first `probes` bytes went out as probes). */
  rest(part: Buffer): Buffer {
    const sent = this.#fresh.probes;
    return sent > 0 ? part.subarray(sent) : part;
  }

  /** A whole part of `bytes` was written: `entry`'s (undefined: the placeholder). */
  partWritten(bytes: number, entry: RingbufferEntry | undefined): void {
    const fresh = this.#fresh;
    const now = performance.now();
    const capturedAt = entry === undefined ? Number.NaN : entry.timestamp * 1000 - performance.timeOrigin;
    // The camera's frame interval matters while paced (does the reader keep its pace?): smoothed, and
    // not looked up for every fast frame.
    const interval =
      entry !== undefined && fresh.mode === 'paced' ? this.#ring.intervalBefore(entry) : undefined;
    if (interval !== undefined)
      this.#intervalMs = this.#intervalMs === 0 ? interval * 1000 : this.#intervalMs * 0.9 + interval * 100;
    fresh.partWritten(now, bytes, capturedAt, this.#intervalMs);
    if (fresh.probeAfterPart) this.#probe(now, false);
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #look(): boolean {
    return readTcpView(this.#fd, this.#view);
  }

  #probe(now: number, alone: boolean): void {
    const at = this.#fresh.probes;
    this.#socket.write(PART_PREFIX.subarray(at, at + 1));
    this.#fresh.probeWritten(now, alone);
  }

  /** One look while a part is outstanding: taken (wake the delivery), or probe, or keep waiting. */
  #poll(now: number): void {
    // Bytes still in Node's buffer are not in TCP's counters yet: look again once they went out.
    if (this.#socket.writableLength > 0 || !this.#look()) return;
    const result = this.#fresh.poll(now, this.#view);
    if (result === 'probe') this.#probe(now, true);
    else if (result === 'taken') this.#report();
  }

  #report(): void {
    const stats = this.#fresh.stats();
    const onConsumed = this.#options.onConsumed;
    if (onConsumed && stats.ageMs !== undefined) {
      for (; this.#reported < stats.consumed; this.#reported++) onConsumed(stats.ageMs / 1000);
    }
    this.#reported = stats.consumed;
  }

  #schedule(): void {
    if (this.#stopped || this.#timer !== undefined || !this.#fresh.waiting) return;
    this.#timer = setTimeout(this.#onTimer, this.#fresh.pollMs(performance.now()));
  }

  #retrySoon(): void {
    if (this.#stopped || this.#timer !== undefined) return;
    this.#timer = setTimeout(this.#onTimer, SKIP_RETRY_MS);
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    if (this.#stopped || this.#socket.destroyed) return;
    // Only a paced client with a part outstanding has anything to poll; after a fast client's skip
    // the delivery's own `ready()` takes the fresh look.
    if (this.#fresh.waiting) {
      this.#poll(performance.now());
      if (this.#fresh.waiting) {
        this.#schedule();
        return;
      }
    }
    this.#options.wake();
    // Nothing went out at once: ask whether the reader is idle (see `Freshness.takeIdleProbe`).
    const now = performance.now();
    if (this.#socket.writableLength === 0 && this.#fresh.takeIdleProbe(now)) this.#probe(now, true);
  };
}
