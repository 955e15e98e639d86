/**
 * Shared helpers for decoder tests: feed a stream in chunks of a given size, load the
 * fixture JPEGs, a seeded PRNG. Other test files (device protocols, fuzz) import these.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES_DIR = fileURLToPath(new URL('../../fixtures/', import.meta.url));

/** Chunk sizes every decoder test runs with; `Infinity` = the whole stream in one push. */
export const CHUNK_SIZES: readonly number[] = [1, 7, 64, 4096, Number.POSITIVE_INFINITY];

/** Anything with the decoder shape (DeviceEvent decoders, CAMF command decoder …). */
export interface PushDecoder<E> {
  push(chunk: Uint8Array): E[];
  end(): E[];
}

/**
 * Feed `bytes` to `decoder` in chunks of `size` bytes (`Infinity`: one push) and return every
 * event, including those from `end()` unless `end` is false. Each chunk is copied into one
 * scratch buffer that is overwritten after every push, so a decoder that keeps a view into a
 * chunk instead of copying it hands out corrupted frames and fails byte-exact assertions.
 */
export function feedInChunks<E>(
  decoder: PushDecoder<E>,
  bytes: Uint8Array,
  size: number,
  options: { end?: boolean } = {},
): E[] {
  const events: E[] = [];
  const step = Number.isFinite(size) ? Math.max(1, Math.floor(size)) : Math.max(1, bytes.length);
  const scratch = Buffer.alloc(Math.min(step, Math.max(1, bytes.length)));
  for (let i = 0; i < bytes.length; i += step) {
    const n = Math.min(step, bytes.length - i);
    scratch.set(bytes.subarray(i, i + n), 0);
    for (const e of decoder.push(scratch.subarray(0, n))) events.push(e);
    scratch.fill(0xee);
  }
  if (options.end !== false) for (const e of decoder.end()) events.push(e);
  return events;
}

export interface FixtureJpeg {
  name: string;
  bytes: Buffer;
}

/** Every `fixtures/jpeg/*.jpg`, sorted by name (optionally only names matching `filter`). */
export function fixtureJpegs(filter?: RegExp): FixtureJpeg[] {
  const dir = join(FIXTURES_DIR, 'jpeg');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jpg') && (!filter || filter.test(f)))
    .sort()
    .map((name) => ({ name, bytes: readFileSync(join(dir, name)) }));
}

/** A fixture file's bytes, by path relative to `fixtures/`. */
export function fixture(path: string): Buffer {
  return readFileSync(join(FIXTURES_DIR, path));
}

export { ESP32_BOOT_LOG, mulberry32 } from '../../scripts/fixture-kit.js';

/** How many cases each fuzz loop runs: `FUZZ_CASES`, default 300 (about a second per loop). */
export const FUZZ_CASES = Number(process.env.FUZZ_CASES ?? 300);

/** The first case index of each fuzz loop: `FUZZ_FROM`, default 0. `FUZZ_FROM=N FUZZ_CASES=1` replays case N alone. */
export const FUZZ_FROM = Number(process.env.FUZZ_FROM ?? 0);

/**
 * The per-test timeout of a fuzz loop: the suite's default (vitest.config.ts) for the default
 * count; none (0) when `FUZZ_CASES` is given, so a long run (1e6 cases take 15 to 45 minutes per
 * loop) goes to its end. A fuzz loop is synchronous: a timeout could not stop it anyway, only
 * fail it after it finished.
 */
export const FUZZ_TIMEOUT: number | undefined = process.env.FUZZ_CASES === undefined ? undefined : 0;

/** Only the frames of a decoder's events, as Buffers. */
export function framesOf(events: readonly { type: string }[]): Buffer[] {
  const out: Buffer[] = [];
  for (const e of events) if (e.type === 'frame') out.push((e as { type: 'frame'; jpeg: Buffer }).jpeg);
  return out;
}

/** SHA-1 of some bytes, hex: a cheap stand-in for deep-comparing big Buffers. */
export function sha1(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex');
}

/** Events with each frame's bytes replaced by `sha1:<hex>/<length>`, for fast, readable comparisons. */
export function summarize(events: readonly object[]): object[] {
  return events.map((e) => {
    const { jpeg, ...rest } = e as { jpeg?: Buffer };
    return jpeg ? { ...rest, jpeg: `sha1:${sha1(jpeg)}/${jpeg.length}` } : e;
  });
}

/** The digests `summarize` uses, for a list of expected frames. */
export function digests(frames: readonly Uint8Array[]): string[] {
  return frames.map((f) => `sha1:${sha1(f)}/${f.length}`);
}
