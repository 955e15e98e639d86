/** How much of a camera's past the bus keeps (`--publish-keep`): pure, so the option table can check it. */

/** The last `frames` frames, or the last `seconds` seconds. */
export type KeepLimit = { readonly frames: number } | { readonly seconds: number };

/** `30` (frames) or `10s` (seconds) → a limit; throws a plain Error with what is allowed. */
export function parseKeep(raw: string): KeepLimit {
  const m = /^(\d{1,9})(s?)$/.exec(raw.trim());
  const n = m ? Number(m[1]) : 0;
  if (!m || n < 1) throw new Error(`must be N frames or Ns seconds (e.g. 30 or 10s), got "${raw}"`);
  return m[2] === 's' ? { seconds: n } : { frames: n };
}
