/** Helpers shared by the device-protocol tests (ArduCAM, Mega, OpenIris, fuzz). */
import { expect } from 'vitest';
import type { Decoder, DecoderStats, DeviceEvent } from '../../src/protocol/types.js';
import { CHUNK_SIZES, feedInChunks, summarize } from './helpers.js';

export interface DeviceDecoder extends Decoder {
  readonly bufferedBytes: number;
}

export interface Run {
  events: DeviceEvent[];
  stats: DecoderStats;
}

/**
 * Decodes `bytes` once per chunk size (1, 7, 64, 4096, whole) with a fresh decoder each time,
 * asserts every run gives the same events and the same counters, and returns the whole-stream run.
 */
export function decodeEveryChunking(make: () => DeviceDecoder, bytes: Uint8Array): Run {
  let first: { events: object[]; stats: DecoderStats } | undefined;
  let last: Run | undefined;
  for (const size of CHUNK_SIZES) {
    const decoder = make();
    const events = feedInChunks(decoder, bytes, size);
    const seen = { events: summarize(events), stats: { ...decoder.stats } };
    if (first) expect(seen, `chunk size ${size}`).toEqual(first);
    else first = seen;
    last = { events, stats: { ...decoder.stats } };
  }
  return last!;
}

export function logsOf(events: readonly DeviceEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'log' ? [e.text] : []));
}

export function repliesOf(events: readonly DeviceEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'reply' ? [e.text] : []));
}

/** Feeds `bytes` in `size` pieces and returns the largest `bufferedBytes` seen after any push. */
export function peakBuffered(decoder: DeviceDecoder, bytes: Uint8Array, size: number): number {
  let peak = 0;
  for (let i = 0; i < bytes.length; i += size) {
    decoder.push(bytes.subarray(i, i + size));
    peak = Math.max(peak, decoder.bufferedBytes);
  }
  decoder.end();
  return peak;
}
