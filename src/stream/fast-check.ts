/**
 * The `fast` mode's look at a stream client's connection (`freshness.ts` decides the rest): due
 * every 1, 2, 4 … up to 16 frames while no backlog shows — every frame for a reader at about the
 * camera's rate while half a part or more is queued — it tells from the parts the receiver holds
 * unread whether the next frame goes, is skipped (a reader a little slower than the camera), or
 * the client is stuck (paced from now on).
 */
import type { TcpView } from '../platform/tcp.js';

/** Unread bytes in the window, in parts, that make a backlog: at two checks in a row it skips a frame … */
export const BACKLOG_PARTS = 1.5;
/** … and one that lasts this long makes the client `paced`. */
export const STUCK_MS = 150;
/** A reader at the camera's rate with this many parts queued or more is looked at every frame. */
const WATCH_PARTS = 0.5;
/** Check the window every 1, 2, 4 … up to this many frames while no backlog shows. */
const MAX_CHECK_EVERY = 16;

export type CheckResult = 'send' | 'skip' | 'stuck';

export class FastCheck {
  #checkEvery = 1;
  #sinceCheck = 0;
  /** A backlog shows since (undefined: none). */
  #backlogSince: number | undefined;
  /** The last check found a backlog. */
  #behind = false;
  /** The reader reads at about the camera's rate: each backlog skips a frame at once. */
  #nearRate = false;
  /** A frame skipped with everything acknowledged: a probe would refresh the window. */
  #probeWanted = false;

  /** The client turned fast (`nearRate`: a reader at about the camera's rate). */
  start(nearRate: boolean): void {
    this.#nearRate = nearRate;
    this.#checkEvery = 1;
    this.#sinceCheck = 0;
    this.#backlogSince = undefined;
    this.#behind = false;
  }

  /** Started as a reader at about the camera's rate. */
  get nearRate(): boolean {
    return this.#nearRate;
  }

  /** A check is due before the next frame. */
  get due(): boolean {
    return this.#sinceCheck + 1 >= this.#checkEvery;
  }

  partWritten(): void {
    this.#sinceCheck++;
  }

  /** A frame was skipped with everything acknowledged: write a probe so the receiver sends a fresh window (asked once). */
  takeProbeWanted(): boolean {
    const wanted = this.#probeWanted;
    this.#probeWanted = false;
    return wanted;
  }

  /** The check at `now`: `unread` bytes the receiver holds, parts of `partBytes`; `canProbe`: a probe byte is left. */
  check(now: number, unread: number, view: TcpView, partBytes: number, canProbe: boolean): CheckResult {
    this.#sinceCheck = 0;
    // A reader at the camera's rate counts the part still unsent too: it reads each frame about one
    // interval after the next is written, so a part waiting in the socket is as late as an unread one.
    const queued = this.#nearRate ? unread + view.notSent : unread;
    const unreadParts = partBytes > 0 ? queued / partBytes : 0;
    if (unreadParts < BACKLOG_PARTS) {
      this.#behind = false;
      this.#backlogSince = undefined;
      // A reader at the camera's rate is looked at every frame while half a part or more is queued (its
      // backlog builds from one frame to the next); one that keeps clear, less and less often like any
      // fast reader (a TCP_INFO read per frame for each of 200 such clients cost the fan-out ~10 % CPU).
      this.#checkEvery =
        this.#nearRate && unreadParts >= WATCH_PARTS ? 1 : Math.min(MAX_CHECK_EVERY, this.#checkEvery * 2);
      return 'send';
    }
    this.#checkEvery = 1;
    this.#backlogSince ??= now;
    if (now - this.#backlogSince >= STUCK_MS) return 'stuck';
    // A backlog at two looks in a row (at one, for a reader at the camera's rate): a reader a little
    // slower than the camera. Skip this frame (it still has one to read); a moment's lag of a reader
    // that keeps up shows at one look only. The window moves again only with an ACK: a probe makes
    // the receiver send a fresh one.
    const skip = this.#behind || this.#nearRate;
    this.#behind = true;
    if (!skip) return 'send';
    this.#probeWanted = view.acked >= view.sent && view.notSent === 0 && canProbe;
    return 'skip';
  }
}
