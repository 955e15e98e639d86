/**
 * What a TCP connection's ACKs tell about the application reading it (see `freshness.ts`): how
 * many bytes its receive buffer holds unread, as the advertised window shows them, and how a
 * probe — one byte written when everything before it was acknowledged — was answered: at once
 * (a Linux receiver acknowledges a small segment as soon as its application drains the socket),
 * by the delayed-ACK timer (nobody read it), or later still (another system's timer).
 */
import type { TcpView } from '../platform/tcp.js';

/** A probe's ACK faster than this (above the minimum RTT) was not the delayed-ACK timer (≥ 40 ms on Linux). */
export const DRAIN_ACK_MS = 30;
/** Linux's delayed ACK comes 40 ms after the segment; one later than this comes from another system's timer. */
export const LATE_ACK_MS = 60;
/**
 * A receiver acknowledges everything at once ("quickack") for up to 16 segments after its first
 * data and after a pause longer than its RTO (≥ 200 ms): quick ACKs then say nothing.
 */
export const QUICKACK_GAP_MS = 150;
const QUICKACK_SEGMENTS = 16;
/** The largest window is remembered for one to two periods of this long (a receive buffer may shrink). */
const WINDOW_MEMORY_MS = 2000;

/** Unread bytes in the receiver's buffer: the largest recent window minus the current one (a lower bound). */
export class ReceiverWindow {
  #current = 0;
  #previous = 0;
  #since = Number.NEGATIVE_INFINITY;

  unread(now: number, window: number): number {
    if (now - this.#since >= WINDOW_MEMORY_MS) {
      this.#previous = this.#current;
      this.#current = window;
      this.#since = now;
    } else if (window > this.#current) this.#current = window;
    return Math.max(this.#current, this.#previous) - window;
  }
}

/** How a probe was answered: `quick` (the reader drained), `delayed` (Linux's timer), `late` (a longer timer). */
export type ProbeAnswer = 'quick' | 'delayed' | 'late';

export class ProbeAnswers {
  #lastWriteAt = Number.NaN;
  /** The last write was a probe that went out alone (everything before it acknowledged). */
  #counts = false;
  /**
   * The receiver may be in quickack mode after a pause. (It is at the start too, but then a few
   * early answers taken for drains cost a slow reader a few frames, and suspecting them would cost
   * every fast one its first second.)
   */
  #suspect = false;
  /** Quick answers in a row while suspect (more than quickack lasts: they are real). */
  #quickRun = 0;
  #drainAcks = false;

  /** When anything was last written, `performance.now()` ms (NaN: nothing yet). */
  get lastWriteAt(): number {
    return this.#lastWriteAt;
  }

  /** This peer answered a probe at once at least once (a Linux receiver draining its socket). */
  get drainAcks(): boolean {
    return this.#drainAcks;
  }

  /** Something was written at `now`; `probe`: a probe byte that went out alone. */
  wrote(now: number, probe: boolean): void {
    if (now - this.#lastWriteAt > QUICKACK_GAP_MS) {
      // (NaN, before the first write, compares false.)
      this.#suspect = true;
      this.#quickRun = 0;
    }
    this.#lastWriteAt = now;
    this.#counts = probe;
  }

  /**
   * Everything written was acknowledged, the last ACK at `ackAt`: how was the probe answered?
   * Undefined when the last write was no probe or it was answered already, and while quick
   * answers may be quickack's.
   */
  answer(ackAt: number, minRttMs: number): ProbeAnswer | undefined {
    if (!this.#counts) return undefined;
    this.#counts = false;
    const latency = ackAt - this.#lastWriteAt;
    if (latency >= minRttMs + DRAIN_ACK_MS) {
      // A timer answered: the receiver is not in quickack mode (any more).
      this.#suspect = false;
      this.#quickRun = 0;
      return latency >= minRttMs + LATE_ACK_MS ? 'late' : 'delayed';
    }
    if (this.#suspect && ++this.#quickRun <= QUICKACK_SEGMENTS) return undefined;
    this.#suspect = false;
    this.#drainAcks = true;
    return 'quick';
  }
}

/**
 * Everything written acknowledged sooner than this after the last write, the reader read it: Linux
 * delays the ACK of a part nobody reads by at least 40 ms, and sends it at once when the reader
 * drains its socket.
 */
export const READ_ACK_MS = 38;
/** A probe written right after a read, answered within this long: the reader is idle, not working on the part. */
const IDLE_ACK_MS = 10;
/** A read seen this long after the previous look may have been seen late (no idle test then). */
const PROMPT_MS = 5;
/** Idle right after its reads this many times in a row, a reader waits for frames. */
const IDLE_READS = 30;

/**
 * The reads of a reader paced one part ahead (`freshness.ts`): each part and the probe after it
 * are acknowledged when the reader reads them, and a probe right after such a read asks whether
 * the reader is idle (waits for frames) or working on what it read.
 */
export class AheadReads {
  #active = false;
  /** The last write was not seen acknowledged yet. */
  #unanswered = false;
  #lookedAt = Number.NEGATIVE_INFINITY;
  /** The idle probe: `due` to write after a read, `sent` at `#probeAt` and not looked at yet. */
  #idle: 'none' | 'due' | 'sent' = 'none';
  #probeAt = 0;
  /** Idle answers in a row. */
  #idleRun = 0;

  /** Something was written; `part`: a part (an idle probe not written yet is moot then). */
  wrote(part: boolean): void {
    this.#unanswered = true;
    if (part && this.#idle === 'due') this.#idle = 'none';
  }

  /** Look every millisecond this close to `READ_ACK_MS` after the last write (`sinceWrite` ms ago): a read seen late looks like the timer. */
  nearBoundary(sinceWrite: number): boolean {
    return this.#unanswered && sinceWrite >= READ_ACK_MS - 10 && sinceWrite < READ_ACK_MS + 4;
  }

  /**
   * A look at `now`: `cleared` when everything written is acknowledged and the window no longer
   * shows the part unread; the last write `sinceWrite` ms ago. Did the reader just read it?
   * (Asked at every look, to know how promptly it was seen.)
   */
  read(now: number, cleared: boolean, sinceWrite: number): boolean {
    const lookedAt = this.#lookedAt;
    this.#lookedAt = now;
    if (!cleared || !this.#unanswered) return false;
    this.#unanswered = false;
    if (sinceWrite >= READ_ACK_MS) return false;
    this.#idle = now - lookedAt <= PROMPT_MS ? 'due' : 'none';
    return true;
  }

  /** No idle test for this take (it was not told by a read). */
  cancel(): void {
    this.#idle = 'none';
  }

  /** After a read and no part since: write the idle probe now (`canProbe`: a probe byte is left)? Asked once. */
  takeIdleProbe(now: number, canProbe: boolean): boolean {
    if (this.#idle !== 'due' || !canProbe) return false;
    this.#idle = 'sent';
    this.#probeAt = now;
    return true;
  }

  /** The idle probe went out and wants a look before the next part. */
  get answerDue(): boolean {
    return this.#idle === 'sent';
  }

  /**
   * The look before the next part: was the idle probe answered at once? (A reader working on the
   * part it just read answers only when it reads again.) True once it was, `IDLE_READS` times in a row.
   */
  idle(now: number, view: TcpView): boolean {
    this.#idle = 'none';
    const idle = view.acked >= view.sent && now - view.sinceAckMs - this.#probeAt < IDLE_ACK_MS;
    this.#idleRun = idle ? this.#idleRun + 1 : 0;
    return this.#idleRun >= IDLE_READS;
  }

  /** The reader is paced one part ahead. */
  get active(): boolean {
    return this.#active;
  }

  start(): void {
    this.stop();
    this.#active = true;
  }

  stop(): void {
    this.#active = false;
    this.#unanswered = false;
    this.#idle = 'none';
    this.#idleRun = 0;
  }
}
