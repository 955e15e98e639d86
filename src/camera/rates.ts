/** Events per second over a sliding window, for the rates `/status` shows. */
import { nowSeconds } from '../stream/ring-buffer.js';

/** Rates are averaged over this window, seconds. */
export const RATE_WINDOW_S = 3;

/** Events per second over a sliding window (counts and byte sums). */
export class RateMeter {
  readonly #windowS: number;
  readonly #samples: { t: number; n: number }[] = [];
  #firstT: number | undefined;

  constructor(windowS = RATE_WINDOW_S) {
    this.#windowS = windowS;
  }

  add(n = 1, t = nowSeconds()): void {
    this.#firstT ??= t;
    // Samples are summed per 100 ms bucket, so a busy port (thousands of small reads a second) stays cheap.
    const bucket = Math.floor(t * 10) / 10;
    const last = this.#samples.at(-1);
    if (last && last.t === bucket) last.n += n;
    else this.#samples.push({ t: bucket, n });
    this.#trim(t);
  }

  /** Sum per second over the window (or since the first sample, at least 1 s, when younger). */
  rate(t = nowSeconds()): number {
    this.#trim(t);
    if (this.#firstT === undefined) return 0;
    const span = Math.max(1, Math.min(this.#windowS, t - this.#firstT));
    let sum = 0;
    for (const s of this.#samples) sum += s.n;
    return sum / span;
  }

  #trim(t: number): void {
    while (this.#samples.length > 0 && this.#samples[0]!.t < t - this.#windowS) this.#samples.shift();
  }
}

/** One decimal, as `/status` shows rates. */
export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
