import { describe, expect, it, vi } from 'vitest';
import { MJPEG_CONTENT_TYPE } from '../../src/stream/mjpeg-format.js';
import { RingBuffer, type RingbufferEntry } from '../../src/stream/ring-buffer.js';
import { mjpegResponse } from '../../src/stream/web-writer.js';
import { fixtureFrames } from '../helpers/fake-camera.js';
import { MultipartParser } from '../helpers/multipart.js';

const frames = fixtureFrames();
const TIMESTAMP = /^\d+\.\d{6}$/;

/** Reads parts off a response body as they come. */
function partsReader(res: Response) {
  const reader = res.body!.getReader();
  const parser = new MultipartParser();
  const parts: ReturnType<MultipartParser['push']> = [];
  let raw = Buffer.alloc(0);
  return {
    parts,
    get raw() {
      return raw;
    },
    /** Read until `n` parts arrived. */
    async until(n: number) {
      while (parts.length < n) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`body ended after ${parts.length} parts`);
        raw = Buffer.concat([raw, value]);
        parts.push(...parser.push(Buffer.from(value)));
      }
    },
    /** Read one chunk (through the parser), as text. */
    async chunk() {
      const { value } = await reader.read();
      raw = Buffer.concat([raw, value!]);
      parts.push(...parser.push(Buffer.from(value!)));
      return Buffer.from(value!).toString('latin1');
    },
    cancel: () => reader.cancel(),
    read: () => reader.read(),
  };
}

describe('mjpegResponse (the Web writer)', () => {
  it('streams the ring as strict multipart with no-cache headers and byte-exact parts', async () => {
    const ring = new RingBuffer(10);
    const res = mjpegResponse(ring, { resendMs: 60_000 });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(MJPEG_CONTENT_TYPE);
    expect(res.headers.get('cache-control')).toBe('no-store, no-cache, must-revalidate, max-age=0');
    expect(res.headers.get('pragma')).toBe('no-cache');
    const r = partsReader(res);
    const entries: RingbufferEntry[] = [];
    for (let i = 0; i < 3; i++) {
      entries.push(ring.add(frames[i]!, 1000 + i));
      await r.until(i + 1);
    }
    expect(r.raw.subarray(0, 9).toString()).toBe('--frame\r\n');
    r.parts.forEach((p, i) => {
      expect(p.body.equals(frames[i]!)).toBe(true);
      expect(p.headers['content-type']).toBe('image/jpeg');
      expect(p.headers['content-length']).toBe(String(frames[i]!.length));
      expect(p.headers['x-timestamp']).toBe(entries[i]!.timestamp.toFixed(6));
      expect(p.headers['x-timestamp']).toMatch(TIMESTAMP);
      expect(p.headers['x-frame-index']).toBe(String(i));
    });
    expect(r.raw.subarray(-11).toString()).toBe('\r\n--frame\r\n');
    await r.cancel();
    expect(ring.waiting).toBe(0);
  });

  it('is pull-based: a reader that did not ask gets the newest frame when it does, never a backlog', async () => {
    const ring = new RingBuffer(10);
    const sent: number[] = [];
    const r = partsReader(mjpegResponse(ring, { resendMs: 60_000, onFrame: (n) => sent.push(n) }));
    expect(await r.chunk()).toBe('--frame\r\n');
    for (let i = 0; i < 5; i++) ring.add(frames[i]!);
    expect(sent).toEqual([]); // nobody asked
    await r.until(1);
    expect(r.parts[0]!.headers['x-frame-index']).toBe('4');
    expect(sent).toEqual([frames[4]!.length]);
    await r.cancel();
  });

  it('advance_headers sends the next part headers right after each frame, without Content-Length', async () => {
    const ring = new RingBuffer(10);
    const reader = mjpegResponse(ring, { advanceHeaders: true, resendMs: 60_000 }).body!.getReader();
    const first = Buffer.from((await reader.read()).value!).toString();
    expect(first).toMatch(/^--frame\r\nContent-Type: image\/jpeg\r\nX-Timestamp: \d+\.\d{6}\r\n\r\n$/);
    const pending = reader.read();
    ring.add(frames[0]!);
    const part = Buffer.from((await pending).value!);
    expect(part.subarray(0, frames[0]!.length).equals(frames[0]!)).toBe(true);
    expect(part.subarray(frames[0]!.length).toString()).toMatch(
      /^\r\n--frame\r\nContent-Type: image\/jpeg\r\nX-Timestamp: \d+\.\d{6}\r\n\r\n$/,
    );
    await reader.cancel();
  });

  it('sends the placeholder while offline and calls onEnd once whether the ring closes, the signal aborts or the reader cancels', async () => {
    let ends = 0;
    const placeholder = frames[23]!;
    const ring = new RingBuffer(10);
    const r = partsReader(
      mjpegResponse(ring, { placeholder, online: () => false, resendMs: 60_000, onEnd: () => ends++ }),
    );
    await r.until(1);
    expect(r.parts[0]!.body.equals(placeholder)).toBe(true);
    expect(r.parts[0]!.headers['x-frame-index']).toBeUndefined();
    ring.close();
    await expect(r.read()).resolves.toMatchObject({ done: true });
    expect(ends).toBe(1);

    const stop = new AbortController();
    const ring2 = new RingBuffer(10);
    const r2 = partsReader(mjpegResponse(ring2, { signal: stop.signal, onEnd: () => ends++ }));
    await r2.read();
    const pending = r2.read();
    stop.abort();
    await expect(pending).resolves.toMatchObject({ done: true });
    expect(ends).toBe(2);
    expect(ring2.waiting).toBe(0);

    const ring3 = new RingBuffer(10);
    const r3 = partsReader(mjpegResponse(ring3, { onEnd: () => ends++ }));
    await r3.read();
    const pending3 = r3.read();
    await r3.cancel();
    await pending3;
    ring3.add(frames[0]!);
    expect(ends).toBe(3);
    expect(ring3.waiting).toBe(0);
  });

  it('errors the body (never a half part) when the source state cannot be read', async () => {
    const ring = new RingBuffer(10);
    ring.add(frames[0]!);
    let ends = 0;
    const res = mjpegResponse(ring, {
      online: () => {
        throw new Error('source broke');
      },
      onEnd: () => ends++,
    });
    await expect(res.arrayBuffer()).rejects.toThrow('source broke');
    await vi.waitFor(() => expect(ends).toBe(1));
  });
});
