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

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An ESP32 ROM boot log as it appears on the UART before the application starts. */
export const ESP32_BOOT_LOG = [
  'ets Jun  8 2016 00:22:57',
  '',
  'rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)',
  'configsip: 0, SPIWP:0xee',
  'clk_drv:0x00,q_drv:0x00,d_drv:0x00,cs0_drv:0x00,hd_drv:0x00,wp_drv:0x00',
  'mode:DIO, clock div:1',
  'load:0x3fff0030,len:1344',
  'load:0x40078000,len:13964',
  'load:0x40080400,len:3600',
  'entry 0x400805f0',
  '',
].join('\r\n');

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
