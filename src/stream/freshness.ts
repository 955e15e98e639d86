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
 *   has no backlog. Every 16 frames (every frame while one shows) the receiver's window is
 *   checked: 1.5 parts unread at two checks in a row skip a frame (a reader a little slower than
 *   the camera stays about one frame behind), and for `STUCK_MS` make the client `paced` (a
 *   reader that keeps up only lags for a moment).
 * - `paced` (slow readers): the next frame goes out when the reader is known to want it. After
 *   each part, 1-byte *probes* — the constant start of the next part's headers, so the stream
 *   stays valid — ask "are you reading?": one answered at once means the reader read everything
 *   and waits for more. A probe counts only when everything before it was acknowledged (else the
 *   receiver may acknowledge it at once because a full segment was pending). The reader is
 *   polled every millisecond around when it is expected back (one period after it last asked).
 *   A window that showed the part unread and opened again, or a late ACK with nothing unread
 *   from a peer that never answers at once (not Linux), says it read the part. A reader that
 *   asks again right after each frame waits for frames: it becomes `fast`.
 *
 * Why not the window alone: the receiver advertises min(free buffer, rcv_ssthresh), so once its
 * buffer autotuned larger than that, whole frames sit unread without the window moving; and
 * after a read it sends no window update unless the window doubled.
 */
import type { TcpView } from '../platform/tcp.js';
import { ProbeAnswers, QUICKACK_GAP_MS, ReceiverWindow } from './tcp-signals.js';

export type PacingMode = 'fast' | 'paced';

/** What `poll()` found: the reader wants the next frame, a probe should go out, or nothing yet. */
export type PollResult = 'taken' | 'probe' | 'wait';

/** How a take was told: a quick probe ACK, the window opening again, an ACK from a non-draining peer, or time. */
type Take = 'drain' | 'window' | 'ack' | 'stale';

export interface FreshnessOptions {
  /** Probe bytes available between two parts (0: none; then only the window can tell). */
  probeBytes: number;
}

/** With no answer at all this long after the last probe (probes spent), assume the part was read. */
export const STALE_MS = 3000;
/** `fast`: unread bytes in the window, in parts, that make a backlog: at two checks in a row it skips a frame … */
export const BACKLOG_PARTS = 1.5;
/** … and one that lasts this long makes the client `paced`. */
export const STUCK_MS = 150;
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
/** `fast`: check the window every 1, 2, 4 … up to this many frames while no backlog shows. */
const MAX_CHECK_EVERY = 16;

/** Per-client figures for `/status`. */
export interface FreshnessStats {
  mode: PacingMode;
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
  /** Fast: a backlog shows since (undefined: none). */
  #backlogSince: number | undefined;
  /** Fast: the last check found a backlog. */
  #behind = false;
  /** Fast, and the reader reads at about the camera's rate: each backlog skips a frame at once (and asks for a fresh window). */
  #nearRate = false;
  /** Fast, a frame skipped with everything acknowledged: a probe would refresh the window (taken by `takeProbeWanted()`). */
  #probeWanted = false;
  /** The camera's frame interval, ms (0: not known). */
  #intervalMs = 0;
  #checkEvery = 1;
  #sinceCheck = 0;
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

  /** Paced with a part outstanding: keep polling until the reader wants the next one. */
  get waiting(): boolean {
    return this.#mode === 'paced' && !this.#taken;
  }

  /** Fast mode wants a fresh look at the connection before the next frame. */
  get checkDue(): boolean {
    return this.#mode === 'fast' && this.#sinceCheck + 1 >= this.#checkEvery;
  }

  /**
   * How long to wait before the next `poll()` at `now`, ms: every millisecond around when the
   * reader is expected to ask again (one period after it last did), else a tenth of its period
   * and a twentieth of how long the part has been waiting (a stalled reader is looked at
   * rarely), 2–50 ms.
   */
  pollMs(now: number): number {
    const period = this.#takeIntervalMs;
    const spread = Math.min(50, Math.max(2, period / 10, (now - this.#sentAt) / 20));
    if (period === 0) return spread;
    const expected = this.#lastTakeAt + period;
    if (now >= expected - NEAR_MS && now <= expected + 2 * NEAR_MS) return 1;
    return now < expected ? Math.max(1, Math.min(spread, expected - NEAR_MS - now)) : spread;
  }

  /** Fast, a frame skipped with everything acknowledged: write a probe so the receiver sends a fresh window (asked once). */
  takeProbeWanted(): boolean {
    const wanted = this.#probeWanted;
    this.#probeWanted = false;
    return wanted;
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
      mode: this.#mode,
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
    if (this.#mode === 'paced') return this.#taken;
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
    if (this.#mode === 'fast') {
      this.#sinceCheck++;
      return;
    }
    this.#awaited = this.#taken;
    this.#taken = false;
  }

  /** A probe byte was handed to the kernel; `alone`: everything before it had been acknowledged. */
  probeWritten(now: number, alone: boolean): void {
    this.#probes++;
    this.#answers.wrote(now, alone);
  }

  /**
   * Paced, with a part outstanding: does the reader want the next one? `'probe'`: write the next
   * probe byte (everything written was acknowledged and nothing says so yet).
   */
  poll(now: number, view: TcpView): PollResult {
    if (this.#mode !== 'paced' || this.#taken) return 'wait';
    const unread = this.#unread(now, view);
    if (view.acked < view.sent || view.notSent > 0) return 'wait';
    const slack = Math.max(this.#partBytes / 2, 2 * view.windowUnit) + this.#probes;
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
    this.#nearRate = nearRate;
    this.#checkEvery = 1;
    this.#sinceCheck = 0;
    this.#backlogSince = undefined;
    this.#behind = false;
    this.#fastTakes = 0;
    this.#takeIntervalMs = 0;
    this.#lastTakeAt = Number.NEGATIVE_INFINITY;
  }

  #toPaced(): void {
    this.#mode = 'paced';
    this.#taken = false;
    this.#dipped = true;
    this.#fastTakes = 0;
    this.#backlogSince = undefined;
  }

  /** Fast: the window check (false: the client is paced from now on). */
  #check(now: number, view: TcpView): boolean {
    this.#sinceCheck = 0;
    const unread = this.#unread(now, view);
    // A reader at the camera's rate counts the part still unsent too: it reads each frame about one
    // interval after the next is written, so a part waiting in the socket is as late as an unread one.
    const queued = this.#nearRate ? unread + view.notSent : unread;
    const unreadParts = this.#partBytes > 0 ? queued / this.#partBytes : 0;
    if (this.#partBytes > 0) {
      const pending = view.sent + view.notSent - view.acked;
      const read = this.#sent - Math.ceil((unread + pending) / this.#partBytes);
      if (read > this.#consumed) {
        this.#consumed = read;
        // At least as old as the newest frame written (a reader that keeps up reads it about now).
        if (!Number.isNaN(this.#capturedAt)) this.#ageMs = now - this.#capturedAt;
      }
    }
    if (unreadParts < BACKLOG_PARTS) {
      this.#behind = false;
      this.#backlogSince = undefined;
      // A reader at the camera's rate is looked at every frame: its backlog builds from one frame to the next.
      this.#checkEvery = this.#nearRate ? 1 : Math.min(MAX_CHECK_EVERY, this.#checkEvery * 2);
      return true;
    }
    this.#checkEvery = 1;
    this.#backlogSince ??= now;
    if (now - this.#backlogSince >= STUCK_MS) {
      this.#toPaced();
      return false;
    }
    // A backlog at two looks in a row (at one, for a reader at the camera's rate): a reader a little
    // slower than the camera. Skip this frame (it still has one to read); a moment's lag of a reader
    // that keeps up shows at one look only. The window moves again only with an ACK: a probe makes
    // the receiver send a fresh one.
    const skip = this.#behind || this.#nearRate;
    this.#behind = true;
    if (skip)
      this.#probeWanted = view.acked >= view.sent && view.notSent === 0 && this.#probes < this.#probeBytes;
    return !skip;
  }

  /** Bytes the receiver holds unread as its window shows them (a lower bound: see the module comment). */
  #unread(now: number, view: TcpView): number {
    return this.#window.unread(now, view.window);
  }
}
