import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { streamMjpegToNode } from '../../src/stream/node-writer.js';
import { RingBuffer, type RingbufferEntry } from '../../src/stream/ring-buffer.js';
import { mjpegResponse } from '../../src/stream/web-writer.js';
import { fixtureFrames, paddedJpeg } from '../helpers/fake-camera.js';
import { MultipartParser } from '../helpers/multipart.js';

const frames = fixtureFrames();

/** A PassThrough that records every chunk handed to write(), by identity. */
function recordingSink(options?: { highWaterMark: number }): { sink: PassThrough; written: Uint8Array[] } {
  const sink = new PassThrough(options);
  const written: Uint8Array[] = [];
  const write = sink.write.bind(sink) as (chunk: Uint8Array) => boolean;
  sink.write = ((chunk: Uint8Array) => {
    written.push(chunk);
    return write(chunk);
  }) as typeof sink.write;
  return { sink, written };
}

function body(sink: PassThrough): Buffer {
  const chunks: Buffer[] = [];
  for (let c = sink.read() as Buffer | null; c !== null; c = sink.read() as Buffer | null) chunks.push(c);
  return Buffer.concat(chunks);
}

describe('RingBuffer.subscribe', () => {
  it('calls the listener inside add() with each entry, once with undefined on close, and not after unsubscribing', () => {
    const ring = new RingBuffer(2);
    const seen: (number | undefined)[] = [];
    const other: (number | undefined)[] = [];
    ring.subscribe((e) => seen.push(e?.index));
    const stop = ring.subscribe((e) => other.push(e?.index));
    expect(ring.waiting).toBe(2);
    ring.add(frames[0]!);
    expect(seen).toEqual([0]); // synchronously, before add() returned
    stop();
    expect(ring.waiting).toBe(1);
    ring.add(frames[1]!);
    ring.close();
    expect(seen).toEqual([0, 1, undefined]);
    expect(other).toEqual([0]);
    expect(ring.waiting).toBe(0);
    const late: (RingbufferEntry | undefined)[] = [];
    ring.subscribe((e) => late.push(e));
    expect(late).toEqual([undefined]);
  });
});

describe('streamMjpegToNode (the Node writer)', () => {
  it('writes the same bytes as the Web writer, each part built once and shared by every client', async () => {
    const ring = new RingBuffer(10);
    const a = recordingSink();
    const b = recordingSink();
    const doneA = streamMjpegToNode(ring, a.sink, { resendMs: 60_000 });
    const doneB = streamMjpegToNode(ring, b.sink, { resendMs: 60_000 });
    const web = mjpegResponse(ring, { resendMs: 60_000 }).body!.getReader();
    const webChunks: Uint8Array[] = [(await web.read()).value!];
    const entries: RingbufferEntry[] = [];
    for (const f of frames.slice(0, 3)) {
      const pending = web.read();
      entries.push(ring.add(f));
      webChunks.push((await pending).value!);
    }
    ring.close();
    await Promise.all([doneA, doneB]);
    const pushed = body(a.sink);
    expect(pushed.equals(body(b.sink))).toBe(true);
    expect(pushed.equals(Buffer.concat(webChunks))).toBe(true);
    const parts = new MultipartParser().push(pushed);
    expect(parts.map((p) => Number(p.headers['x-frame-index']))).toEqual([0, 1, 2]);
    // Opening boundary, then one buffer per part (headers, frame, boundary) built once per frame:
    // the same Buffer objects for both clients, so nothing is copied per client.
    expect(a.written.length).toBe(1 + entries.length);
    expect(b.written.length).toBe(a.written.length);
    for (const [i, chunk] of a.written.entries()) if (i > 0) expect(chunk).toBe(b.written[i]);
    for (const [i, entry] of entries.entries()) {
      expect(Buffer.from(a.written[i + 1]!).includes(entry.frame)).toBe(true);
    }
  });

  it('skips frames while the client is backed up and sends the newest one after drain', async () => {
    const ring = new RingBuffer(10);
    const big = frames.slice(0, 4).map((f, i) => paddedJpeg(f, 64 * 1024, i));
    const { sink } = recordingSink({ highWaterMark: 1024 });
    const sent: number[] = [];
    const done = streamMjpegToNode(ring, sink, { resendMs: 60_000, onFrame: (n) => sent.push(n) });
    ring.add(big[0]!);
    expect(sent).toHaveLength(1); // written inside add()
    expect(sink.writableNeedDrain).toBe(true);
    ring.add(big[1]!);
    ring.add(big[2]!);
    expect(sent).toHaveLength(1);
    const parser = new MultipartParser();
    const parts: Buffer[] = [];
    sink.on('data', (d: Buffer) => {
      for (const p of parser.push(d)) parts.push(p.body);
    });
    await vi.waitFor(() => expect(parts).toHaveLength(2));
    expect(parts[0]!.equals(big[0]!)).toBe(true);
    expect(parts[1]!.equals(big[2]!)).toBe(true); // frame 1 was skipped, never queued
    sink.destroy();
    await done;
    expect(ring.waiting).toBe(0);
  });

  it('re-sends a still frame after resendMs, ends on abort, and leaves no listener behind', async () => {
    const ring = new RingBuffer(10);
    const sink = new PassThrough();
    const parser = new MultipartParser();
    let parts = 0;
    sink.on('data', (d: Buffer) => {
      parts += parser.push(d).length;
    });
    const stop = new AbortController();
    let ends = 0;
    const done = streamMjpegToNode(ring, sink, { resendMs: 20, signal: stop.signal, onEnd: () => ends++ });
    ring.add(frames[0]!);
    await vi.waitFor(() => expect(parts).toBeGreaterThanOrEqual(3));
    stop.abort();
    await done;
    expect(ends).toBe(1);
    expect(ring.waiting).toBe(0);
    expect(sink.writableEnded).toBe(true);
  });

  it('cuts the connection (never a half part) when the source state cannot be read', async () => {
    const ring = new RingBuffer(10);
    ring.add(frames[0]!);
    const sink = new PassThrough();
    const errors: Error[] = [];
    sink.on('error', (e) => errors.push(e));
    let ends = 0;
    await streamMjpegToNode(ring, sink, {
      online: () => {
        throw new Error('source broke');
      },
      onEnd: () => ends++,
    });
    expect(sink.destroyed).toBe(true);
    expect(ends).toBe(1);
    await vi.waitFor(() => expect(errors.map((e) => e.message)).toEqual(['source broke']));
  });
});
