/**
 * Latency-bounded delivery for one stream client: from what TCP says about the connection
 * (`TcpView`: bytes acknowledged, the peer's advertised window, the last ACK's age), tell
 * whether the client's *application* reads what it is sent — not merely whether the kernel took
 * it — so a slow reader is never megabytes behind. Pure: no socket, no timer; the Node writer's
 * `TcpPacer` feeds it views and does the writes.
 *
 * The signals themselves (the window's unread bytes, how a probe was answered) are read in
 * `tcp-signals.ts`. Two modes per client:
 * - `fast` (today's behaviour, for readers that keep up): a frame goes out whenever the socket
 *   has no backlog, and the receiver's window is checked now and then (`fast-check.ts`).
 * - `paced` (slow readers): the next frame goes out when the reader is known to want it. After
 *   each part, 1-byte *probes* — the constant start of the next part's headers, so the stream
 *   stays valid — ask "are you reading?": one answered at once means the reader read everything
 *   and waits for more. A probe counts only when everything before it was acknowledged (else the
 *   receiver may acknowledge it at once because a full segment was pending). The reader is
 *   polled every millisecond around when it is expected back (one period after it last asked).
 *   A window that showed the part unread and opened again, or a late ACK with nothing unread
 *   from a peer that never answers at once (not Linux), says it read the part. A reader that
 *   asks again right after each frame waits for frames: it becomes `fast`.
 * - `paced` one part *ahead* (a Linux reader at about the camera's rate that fell a frame behind
 *   while fast: it is a little slower than the camera, and its window shows a backlog late): the
 *   part and the probe after it, acknowledged within `READ_ACK_MS` of the write, were read — the
 *   start of the reader's work on that part — so the next frame goes out as soon as there is one
 *   and is waiting in its socket when it resumes. (An ACK later than that is the delayed-ACK
 *   timer: probes ask as above.) A probe right after each such read, answered at once 30 times in
 *   a row, says it is idle, not working: it waits for frames and becomes `fast`.
 *
 * Why not the window alone: the receiver advertises min(free buffer, rcv_ssthresh), so once its
 * buffer autotuned larger than that, whole frames sit unread without the window moving; and
 * after a read it sends no window update unless the window doubled.
 */
import type { TcpView } from '../platform/tcp.js';
import { FastCheck } from './fast-check.js';
import { AheadReads, ProbeAnswers, QUICKACK_GAP_MS, ReceiverWindow } from './tcp-signals.js';

export type PacingMode = 'fast' | 'paced';
/** What `/status` shows: the mode, and `ahead` for a paced client taken one part ahead. */
export type PacingShown = PacingMode | 'ahead';

/** What `poll()` found: the reader wants the next frame, a probe should go out, or nothing yet. */
export type PollResult = 'taken' | 'probe' | 'wait';

/** How a take was told: a quick probe ACK, the window opening again, an ACK from a non-draining peer, or time. */
type Take = 'drain' | 'window' | 'ack' | 'stale' | 'read';

export interface FreshnessOptions {
  /** Probe bytes available between two parts (0: none; then only the window can tell). */
  probeBytes: number;
}

/** With no answer at all this long after the last probe (probes spent), assume the part was read. */
export const STALE_MS = 3000;
/**
 * `paced` → `fast` once the reader asks again this soon after each frame (it waits for frames),
 * or asks about as often as the camera sends frames (within this many of its intervals: a
 * reader at the camera's rate, which loses less by a frame waiting for it than by waiting) …
 */
const QUICK_MS = 15;
const NEAR_RATE = 1.25;
/** Polled every millisecond from this long before the reader is expected to ask again until twice as long after. */
const NEAR_MS = 4;
/** … this many times in a row (a peer that never answers at once: acknowledged clean this many times). */
const FAST_TAKES = 4;
const ACK_TAKES = 3;
/** Ahead → plain paced once the reader asks less often than this many camera intervals. */
const AHEAD_LEAVE = 1.6;

/** Per-client figures for `/status`. */
export interface FreshnessStats {
  mode: PacingShown;
  /** Frames the client read, as far as TCP tells. */
  consumed: number;
  /** Age of the frame read last, when it was read, ms (undefined: none yet). */
  ageMs: number | undefined;
  /** While paced: frames per second the client reads. */
  readFps: number | undefined;
}

export class Freshness {
  readonly #probeBytes: number;
  #mode: PacingMode = 'paced';
  readonly #window = new ReceiverWindow();
  readonly #answers = new ProbeAnswers();
  // The last part: its size, when it was written, when its JPEG came from the camera (NaN: the
  // placeholder), and whether the reader was known to wait for it (so it was read at once). None
  // before the first part.
  #partBytes = 0;
  #sentAt = 0;
  #capturedAt = Number.NaN;
  #awaited = false;
  /** Paced: the reader wants a frame (a new client does: it starts paced, with its first frame at once). */
  #taken = true;
  /** Probe bytes written since the last part. */
  #probes = 0;
  /** Paced: the window showed the last part unread. */
  #dipped = false;
  #fastTakes = 0;
  /** Paced one part ahead (a reader at about the camera's rate): its reads. */
  readonly #reads = new AheadReads();
  readonly #fast = new FastCheck();
  /** The camera's frame interval, ms (0: not known). */
  #intervalMs = 0;
  #sent = 0;
  #consumed = 0;
  #ageMs: number | undefined;
  #lastTakeAt = Number.NEGATIVE_INFINITY;
  /** Paced: mean interval between the reader's requests, ms (0: unknown). */
  #takeIntervalMs = 0;

  constructor(options: FreshnessOptions) {
    this.#probeBytes = options.probeBytes;
  }

  get mode(): PacingMode {
    return this.#mode;
  }

  /** Paced one part ahead: a reader at about the camera's rate, taken to want a frame once it read the last one. */
  get ahead(): boolean {
    return this.#reads.active;
  }

  /** Paced with a part outstanding: keep polling until the reader wants the next one. */
  get waiting(): boolean {
    return this.#mode === 'paced' && !this.#taken;
  }

  /** Fast mode wants a fresh look at the connection before the next frame. */
  get checkDue(): boolean {
    if (this.#mode === 'paced') return this.#taken && this.#reads.answerDue;
    return this.#fast.due;
  }

  /** Ahead, the reader just took a part and no new one went out: write a probe to see whether it is idle (asked once). */
  takeIdleProbe(now: number): boolean {
    return this.#taken && this.#reads.takeIdleProbe(now, this.#probes < this.#probeBytes);
  }

  /**
   * How long to wait before the next `poll()` at `now`, ms: every millisecond around when the
   * reader is expected to ask again (one period after it last did), else a tenth of its period
   * and a twentieth of how long the part has been waiting (a stalled reader is looked at
   * rarely), 2–50 ms.
   */
  pollMs(now: number): number {
    const period = this.#takeIntervalMs;
    if (this.#reads.active && this.#reads.nearBoundary(now - this.#answers.lastWriteAt)) return 1;
    const spread = Math.min(50, Math.max(2, period / 10, (now - this.#sentAt) / 20));
    if (period === 0) return spread;
    const expected = this.#lastTakeAt + period;
    if (now >= expected - NEAR_MS && now <= expected + 2 * NEAR_MS) return 1;
    return now < expected ? Math.max(1, Math.min(spread, expected - NEAR_MS - now)) : spread;
  }

  /** Fast, a frame skipped with everything acknowledged: write a probe so the receiver sends a fresh window (asked once). */
  takeProbeWanted(): boolean {
    return this.#fast.takeProbeWanted();
  }

  /** Probe bytes written since the last part (the next part is written from this offset). */
  get probes(): number {
    return this.#probes;
  }

  /** After a part a probe goes out at once (paced, and there are probe bytes). */
  get probeAfterPart(): boolean {
    return this.#mode === 'paced' && this.#probeBytes > 0;
  }

  stats(): FreshnessStats {
    return {
      mode: this.#mode === 'paced' && this.#reads.active ? 'ahead' : this.#mode,
      consumed: this.#consumed,
      ageMs: this.#ageMs,
      readFps: this.#mode === 'paced' && this.#takeIntervalMs > 0 ? 1000 / this.#takeIntervalMs : undefined,
    };
  }

  /**
   * May the next frame go out now? Fast: yes, unless the check that is due (`view`: a fresh look
   * at the connection, null when `checkDue` is false) makes the client paced. Paced: once the
   * reader wants it (see `poll()`).
   */
  ready(now: number, view: TcpView | null): boolean {
    if (this.#mode === 'paced') {
      // Ahead, before the next part: was the probe right after the last read answered at once?
      if (view !== null && this.checkDue && this.#reads.idle(now, view)) this.#toFast(false);
      return this.mode === 'fast' || this.#taken;
    }
    if (view === null || !this.checkDue) return true;
    return this.#check(now, view);
  }

  /**
   * A part of `bytes` was handed to the kernel; its JPEG came from the camera at `capturedAt` (the
   * `now` clock; NaN for the placeholder); the camera sends a frame every `intervalMs` (0: not
   * looked up, keep the last).
   */
  partWritten(now: number, bytes: number, capturedAt: number, intervalMs = 0): void {
    if (intervalMs > 0) this.#intervalMs = intervalMs;
    this.#partBytes = bytes;
    this.#sentAt = now;
    this.#capturedAt = capturedAt;
    this.#answers.wrote(now, false);
    this.#probes = 0;
    this.#dipped = false;
    this.#sent++;
    this.#reads.wrote(true);
    if (this.#mode === 'fast') {
      this.#fast.partWritten();
      return;
    }
    this.#awaited = this.#taken;
    this.#taken = false;
  }

  /** A probe byte was handed to the kernel; `alone`: everything before it had been acknowledged. */
  probeWritten(now: number, alone: boolean): void {
    this.#probes++;
    this.#reads.wrote(false);
    this.#answers.wrote(now, alone);
  }

  /**
   * Paced, with a part outstanding: does the reader want the next one? `'probe'`: write the next
   * probe byte (everything written was acknowledged and nothing says so yet).
   */
  poll(now: number, view: TcpView): PollResult {
    if (this.#mode !== 'paced' || this.#taken) return 'wait';
    const unread = this.#unread(now, view);
    const slack = Math.max(this.#partBytes / 2, 2 * view.windowUnit) + this.#probes;
    // Ahead: an ACK whose window still shows the part unread came on its arrival, not with a read.
    const acked = view.acked >= view.sent && view.notSent === 0;
    const read = acked && unread < slack;
    if (this.#reads.active && this.#reads.read(now, read, now - this.#answers.lastWriteAt)) {
      this.#take(now, 'read');
      return 'taken';
    }
    if (!acked) return 'wait';
    const ackAt = now - view.sinceAckMs;
    const answer = this.#answers.answer(ackAt, view.minRttMs);
    const lastWriteAt = this.#answers.lastWriteAt;
    if (unread >= slack) {
      this.#dipped = true;
    } else {
      // A quick answer: the reader drained its socket. The window showed the part unread and opened
      // again. A late answer from a peer that never answered at once (not Linux) with nothing unread.
      const how: Take | undefined =
        answer === 'quick'
          ? 'drain'
          : this.#dipped
            ? 'window'
            : answer === 'late' && !this.#answers.drainAcks
              ? 'ack'
              : now - lastWriteAt >= STALE_MS && this.#probes >= this.#probeBytes
                ? 'stale'
                : undefined;
      if (how !== undefined) {
        this.#take(now, how);
        return 'taken';
      }
    }
    if (this.#probes >= this.#probeBytes) return 'wait';
    // Spread the probes so they last about two of the reader's periods (but never pause a quickack's worth).
    const gap = Math.min(
      QUICKACK_GAP_MS - 10,
      Math.max(0, (2 * this.#takeIntervalMs) / this.#probeBytes - 40),
    );
    return now - ackAt >= gap ? 'probe' : 'wait';
  }

  #take(now: number, how: Take): void {
    this.#taken = true;
    this.#consumed++;
    // A part written while the reader waited was read at once; otherwise it was read by now.
    const readAt = this.#awaited && how === 'drain' ? this.#sentAt : now;
    if (!Number.isNaN(this.#capturedAt)) this.#ageMs = readAt - this.#capturedAt;
    if (this.#lastTakeAt > Number.NEGATIVE_INFINITY) {
      const interval = now - this.#lastTakeAt;
      this.#takeIntervalMs =
        this.#takeIntervalMs === 0 ? interval : this.#takeIntervalMs * 0.75 + interval * 0.25;
    }
    this.#lastTakeAt = now;
    if (this.#reads.active) {
      // One that asks much less often than the camera sends is paced as any slow reader.
      if (how !== 'read') this.#reads.cancel();
      if (this.#intervalMs > 0 && this.#takeIntervalMs > AHEAD_LEAVE * this.#intervalMs) this.#reads.stop();
      return;
    }
    // A reader that asks again right after each frame waits for frames: it keeps up. So does a peer
    // that is not Linux acknowledging parts with nothing unread.
    const quick = how === 'drain' && now - this.#sentAt < QUICK_MS;
    const nearRate =
      this.#intervalMs > 0 &&
      this.#takeIntervalMs > 0 &&
      this.#takeIntervalMs <= NEAR_RATE * this.#intervalMs;
    this.#fastTakes = quick || nearRate || how === 'ack' ? this.#fastTakes + 1 : 0;
    if (this.#fastTakes >= (how === 'ack' ? ACK_TAKES : FAST_TAKES)) this.#toFast(nearRate && !quick);
  }

  #toFast(nearRate: boolean): void {
    this.#mode = 'fast';
    this.#reads.stop();
    this.#fast.start(nearRate);
    this.#fastTakes = 0;
    this.#takeIntervalMs = 0;
    this.#lastTakeAt = Number.NEGATIVE_INFINITY;
  }

  #toPaced(): void {
    this.#mode = 'paced';
    this.#taken = false;
    this.#dipped = true;
    this.#fastTakes = 0;
  }

  /** Fast: the window check (false: the client is paced from now on). */
  #check(now: number, view: TcpView): boolean {
    const unread = this.#unread(now, view);
    if (this.#partBytes > 0) {
      const pending = view.sent + view.notSent - view.acked;
      const read = this.#sent - Math.ceil((unread + pending) / this.#partBytes);
      if (read > this.#consumed) {
        this.#consumed = read;
        // At least as old as the newest frame written (a reader that keeps up reads it about now).
        if (!Number.isNaN(this.#capturedAt)) this.#ageMs = now - this.#capturedAt;
      }
    }
    const result = this.#fast.check(now, unread, view, this.#partBytes, this.#probes < this.#probeBytes);
    if (result === 'stuck') this.#toPaced();
    else if (result === 'skip' && this.#fast.nearRate && this.#probeBytes > 0) {
      // A reader at about the camera's rate fell a frame behind: it is a little slower than the
      // camera, and its window would show the next backlog late. Pace it one part ahead.
      this.#toPaced();
      this.#reads.start();
    }
    return result === 'send';
  }

  /** Bytes the receiver holds unread as its window shows them (a lower bound: see the module comment). */
  #unread(now: number, view: TcpView): number {
    return this.#window.unread(now, view.window);
  }
}
