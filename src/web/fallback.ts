/**
 * The page without its WebSocket (a proxy that blocks it, or the gateway away):
 * pictures and stats over plain HTTP, as browsers allow ~6 connections per
 * host. At most `liveLimit` cards stream MJPEG; the rest show snapshots
 * refreshed with each status ("Watch live" swaps one with the oldest live
 * one); `status` is polled once a second.
 */
import { fetchStatus } from './api.js';
import type { CameraCard } from './camera-card.js';

const POLL_MS = 1000;

export interface FallbackEvents {
  /** A `/status` body. */
  status(body: unknown): void;
  /** The gateway did not answer. */
  down(why: string): void;
}

export class Fallback {
  readonly #cards: readonly CameraCard[];
  readonly #liveLimit: number;
  readonly #events: FallbackEvents;
  #liveOrder: CameraCard[] = [];
  #active = false;
  /** Bumped on every start and stop, so a poll of an earlier round ends there. */
  #round = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #failed = false;

  constructor(cards: readonly CameraCard[], liveLimit: number, events: FallbackEvents) {
    this.#cards = cards;
    this.#liveLimit = liveLimit;
    this.#events = events;
  }

  get active(): boolean {
    return this.#active;
  }

  /** Switch the cards to HTTP pictures and start polling. */
  start(): void {
    if (this.#active) return;
    this.#active = true;
    this.#round++;
    this.#liveOrder = this.#cards.filter((card) => card.startsLive).slice(0, this.#liveLimit);
    for (const card of this.#cards) card.setMode(this.#liveOrder.includes(card) ? 'stream' : 'snapshot');
    void this.#poll(this.#round);
  }

  /** Stop polling (the socket is back; it takes the cards over). */
  stop(): void {
    this.#active = false;
    this.#round++;
    clearTimeout(this.#timer);
  }

  /** Make this snapshot tile a live stream, in place of the oldest live one when the limit is reached. */
  goLive(card: CameraCard): void {
    if (!this.#active || card.mode === 'stream') return;
    const demoted = this.#liveOrder.length >= this.#liveLimit ? this.#liveOrder.shift() : undefined;
    demoted?.setMode('snapshot');
    card.setMode('stream');
    this.#liveOrder.push(card);
  }

  async #poll(round: number): Promise<void> {
    try {
      const body = await fetchStatus();
      if (round !== this.#round) return;
      this.#events.status(body);
      // The gateway is back after a gap: its streams ended with it.
      if (this.#failed) for (const card of this.#cards) card.restartStream();
      this.#failed = false;
    } catch (err) {
      if (round !== this.#round) return;
      this.#failed = true;
      this.#events.down(`gateway unreachable (${err instanceof Error ? err.message : String(err)})`);
    }
    this.#timer = setTimeout(() => void this.#poll(round), POLL_MS);
  }
}
