import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import {
  latestFrames,
  MJPEG_CONTENT_TYPE,
  type MjpegItem,
  mjpegResponse,
  partHeader,
  pipeMjpeg,
  waitForNewerFrame,
} from '../../src/stream/mjpeg.js';
import { RingBuffer } from '../../src/stream/ring-buffer.js';
import { fixtureFrames } from '../helpers/fake-camera.js';
import { MultipartParser } from '../helpers/multipart.js';

const frames = fixtureFrames();
const TIMESTAMP = /^\d+\.\d{6}$/;

async function readAll(res: Response): Promise<Buffer> {
  return Buffer.from(await res.arrayBuffer());
}

/** An async iterable the test feeds by hand; counts how often the consumer asked for an item. */
class Feed<T> implements AsyncIterableIterator<T> {
  asks = 0;
  returned = 0;
  #queue: T[] = [];
  #waiting: ((r: IteratorResult<T>) => void) | undefined;
  #done = false;
  push(item: T): void {
    if (this.#waiting) {
      const w = this.#waiting;
      this.#waiting = undefined;
      w({ done: false, value: item });
    } else this.#queue.push(item);
  }
  end(): void {
    this.#done = true;
    this.#waiting?.({ done: true, value: undefined });
  }
  next(): Promise<IteratorResult<T>> {
    this.asks++;
    const item = this.#queue.shift();
    if (item !== undefined) return Promise.resolve({ done: false, value: item });
    if (this.#done) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve) => {
      this.#waiting = resolve;
    });
  }
  async return(): Promise<IteratorResult<T>> {
    this.returned++;
    this.end();
    return { done: true, value: undefined };
  }
  [Symbol.asyncIterator](): this {
    return this;
  }
}

describe('mjpegResponse', () => {
  it('streams bare JPEGs as strict multipart with no-cache headers and byte-exact parts', async () => {
    async function* source(): AsyncGenerator<Uint8Array> {
      yield* frames.slice(0, 5);
    }
    const res = mjpegResponse(source());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(MJPEG_CONTENT_TYPE);
    expect(res.headers.get('cache-control')).toBe('no-store, no-cache, must-revalidate, max-age=0');
    expect(res.headers.get('pragma')).toBe('no-cache');
    const body = await readAll(res);
    expect(body.subarray(0, 9).toString()).toBe('--frame\r\n');
    const parts = new MultipartParser().push(body);
    expect(parts).toHaveLength(5);
    parts.forEach((p, i) => {
      expect(p.body.equals(frames[i]!)).toBe(true);
      expect(p.headers['content-type']).toBe('image/jpeg');
      expect(p.headers['content-length']).toBe(String(frames[i]!.length));
      expect(p.headers['x-timestamp']).toMatch(TIMESTAMP);
    });
    expect(body.subarray(-11).toString()).toBe('\r\n--frame\r\n');
  });

  it('passes RingbufferEntry timestamps and indexes through to the part headers', async () => {
    const ring = new RingBuffer();
    const a = ring.add(frames[0]!);
    const b = ring.add(frames[1]!, 99);
    async function* source(): AsyncGenerator<MjpegItem> {
      yield a;
      yield b;
    }
    const parts = new MultipartParser().push(await readAll(mjpegResponse(source(), { status: 206 })));
    expect(parts.map((p) => p.headers['x-timestamp'])).toEqual([
      a.timestamp.toFixed(6),
      b.timestamp.toFixed(6),
    ]);
    expect(parts.map((p) => p.headers['x-frame-index'])).toEqual(['0', '1']);
  });

  it('is pull-based: the source is asked for a frame only when the reader wants more', async () => {
    const feed = new Feed<Uint8Array>();
    const res = mjpegResponse(feed);
    const reader = res.body!.getReader();
    expect(feed.asks).toBe(0);
    expect(Buffer.from((await reader.read()).value!).toString()).toBe('--frame\r\n');
    expect(feed.asks).toBe(0);
    const pending = reader.read();
    await vi.waitFor(() => expect(feed.asks).toBe(1));
    feed.push(frames[0]!);
    const header = Buffer.from((await pending).value!).toString();
    expect(header).toContain(`Content-Length: ${frames[0]!.length}\r\n`);
    // Frame and trailing boundary are already queued: no further frame was asked for to produce them.
    expect((await reader.read()).value).toBe(frames[0]);
    expect(Buffer.from((await reader.read()).value!).toString()).toBe('\r\n--frame\r\n');
    expect(feed.asks).toBe(1);
    await reader.cancel();
    expect(feed.returned).toBe(1);
  });

  it('advance_headers sends the next part headers right after each frame, without Content-Length', async () => {
    const feed = new Feed<Uint8Array>();
    const reader = mjpegResponse(feed, { advanceHeaders: true }).body!.getReader();
    const first = Buffer.from((await reader.read()).value!).toString();
    expect(first).toMatch(/^--frame\r\nContent-Type: image\/jpeg\r\nX-Timestamp: \d+\.\d{6}\r\n\r\n$/);
    const pending = reader.read();
    feed.push(frames[0]!);
    expect((await pending).value).toBe(frames[0]);
    const after = Buffer.from((await reader.read()).value!).toString();
    expect(after).toMatch(/^\r\n--frame\r\nContent-Type: image\/jpeg\r\nX-Timestamp: \d+\.\d{6}\r\n\r\n$/);
    expect(feed.asks).toBe(1);
    await reader.cancel();
  });

  it('calls onFrame per frame and onEnd exactly once whether the source ends or the reader cancels', async () => {
    const sizes: number[] = [];
    let ends = 0;
    async function* two(): AsyncGenerator<Uint8Array> {
      yield frames[0]!;
      yield frames[1]!;
    }
    await readAll(mjpegResponse(two(), { onFrame: (n) => sizes.push(n), onEnd: () => ends++ }));
    expect(sizes).toEqual([frames[0]!.length, frames[1]!.length]);
    expect(ends).toBe(1);

    const feed = new Feed<Uint8Array>();
    const reader = mjpegResponse(feed, { onEnd: () => ends++ }).body!.getReader();
    await reader.read();
    const pending = reader.read();
    await reader.cancel();
    await pending;
    feed.push(frames[2]!);
    expect(ends).toBe(2);
    expect(feed.returned).toBe(1);
  });

  it('errors the body (never a half part) when the source throws', async () => {
    let ended = 0;
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield frames[0]!;
      throw new Error('source broke');
    }
    const res = mjpegResponse(broken(), { onEnd: () => ended++ });
    await expect(res.arrayBuffer()).rejects.toThrow('source broke');
    expect(ended).toBe(1);
  });

  it('partHeader formats Content-Length, X-Timestamp with 6 decimals and X-Frame-Index', () => {
    expect(partHeader({ timestamp: 1764000000.1234567, index: 7 }, 42).toString()).toBe(
      'Content-Type: image/jpeg\r\nContent-Length: 42\r\nX-Timestamp: 1764000000.123457\r\nX-Frame-Index: 7\r\n\r\n',
    );
  });
});

describe('pipeMjpeg (Node writable)', () => {
  it('writes the same strict multipart body as mjpegResponse', async () => {
    const ring = new RingBuffer();
    const entries = frames.slice(0, 4).map((f) => ring.add(f));
    async function* source(): AsyncGenerator<MjpegItem> {
      yield* entries;
    }
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (d: Buffer) => chunks.push(d));
    await pipeMjpeg(source(), sink);
    const piped = Buffer.concat(chunks);
    const web = await readAll(mjpegResponse(source()));
    expect(piped.equals(web)).toBe(true);
    const parts = new MultipartParser().push(piped);
    expect(parts.map((p) => p.body.equals(frames[Number(p.headers['x-frame-index'])]!))).toEqual([
      true,
      true,
      true,
      true,
    ]);
  });

  it('asks for the next frame only after the writable drained', async () => {
    const feed = new Feed<Uint8Array>();
    const sink = new PassThrough({ highWaterMark: 1024 });
    let frameCount = 0;
    const done = pipeMjpeg(feed, sink, { onFrame: () => frameCount++ });
    await vi.waitFor(() => expect(feed.asks).toBe(1));
    feed.push(frames[0]!);
    await vi.waitFor(() => expect(frameCount).toBe(1));
    expect(sink.writableNeedDrain).toBe(true);
    feed.push(frames[1]!); // queued in the feed: nobody may take it while the sink is full
    await new Promise((r) => setImmediate(r));
    expect(feed.asks).toBe(1);
    sink.resume(); // the reader catches up: drain → the next frame is taken
    await vi.waitFor(() => expect(frameCount).toBe(2));
    sink.destroy();
    await done;
  });

  it('returns the source and calls onEnd once when the writable closes; destroys it on a source error', async () => {
    const feed = new Feed<Uint8Array>();
    const sink = new PassThrough();
    sink.resume();
    let ends = 0;
    const done = pipeMjpeg(feed, sink, { onEnd: () => ends++ });
    await vi.waitFor(() => expect(feed.asks).toBe(1));
    sink.destroy();
    await done;
    expect(feed.returned).toBe(1);
    expect(ends).toBe(1);

    async function* broken(): AsyncGenerator<Uint8Array> {
      yield frames[0]!;
      throw new Error('source broke');
    }
    const sink2 = new PassThrough();
    const errors: Error[] = [];
    sink2.on('error', (e) => errors.push(e));
    sink2.resume();
    await pipeMjpeg(broken(), sink2, { onEnd: () => ends++ });
    expect(sink2.destroyed).toBe(true);
    await vi.waitFor(() => expect(errors.map((e) => e.message)).toEqual(['source broke']));
    expect(ends).toBe(2);
  });
});

describe('latestFrames', () => {
  it('hands a slow reader the newest frame, skipping the ones it missed, never a backlog', async () => {
    const ring = new RingBuffer();
    const it = latestFrames(ring, { resendMs: 60_000 });
    ring.add(frames[0]!);
    expect((await it.next()).value!.index).toBe(0);
    for (let i = 1; i <= 5; i++) ring.add(frames[i]!);
    const next = (await it.next()).value!;
    expect(next.index).toBe(5);
    expect(next.frame).toBe(frames[5]);
    await it.return!();
    expect(ring.waiting).toBe(0);
  });

  it('re-sends the last frame of a still source after resendMs', async () => {
    const ring = new RingBuffer();
    ring.add(frames[0]!);
    const it = latestFrames(ring, { resendMs: 20 });
    const first = (await it.next()).value!;
    const again = (await it.next()).value!;
    expect(again.index).toBe(first.index);
    expect(again.frame).toBe(first.frame);
    await it.return!();
  });

  it('sends the placeholder before the first frame and while offline, then live frames', async () => {
    const ring = new RingBuffer();
    const placeholder = frames[23]!;
    let online = true;
    const it = latestFrames(ring, { resendMs: 20, placeholder, online: () => online });
    expect((await it.next()).value!.frame).toBe(placeholder);
    expect((await it.next()).value!.frame).toBe(placeholder);
    const waiting = it.next();
    ring.add(frames[0]!);
    expect((await waiting).value!.frame).toBe(frames[0]); // at once, not at the next resend tick
    online = false;
    expect((await it.next()).value!.frame).toBe(placeholder);
    await it.return!();
    expect(ring.waiting).toBe(0);
  });

  it('spaces frames at least 1/fpsCap apart', async () => {
    const ring = new RingBuffer();
    const it = latestFrames(ring, { fpsCap: 20, resendMs: 60_000 });
    const times: number[] = [];
    for (let i = 0; i < 4; i++) {
      ring.add(frames[i]!);
      await it.next();
      times.push(performance.now());
    }
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(45);
    await it.return!();
  });

  it('return() ends a pending next() at once and leaves no ring waiter; the signal and ring close end it too', async () => {
    const ring = new RingBuffer();
    ring.add(frames[0]!);
    const a = latestFrames(ring, { resendMs: 60_000 });
    await a.next();
    const pending = a.next();
    expect(ring.waiting).toBe(1);
    await a.return!();
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    expect(ring.waiting).toBe(0);

    const ac = new AbortController();
    const b = latestFrames(ring, { resendMs: 60_000, signal: ac.signal });
    await b.next();
    const pendingB = b.next();
    ac.abort();
    await expect(pendingB).resolves.toMatchObject({ done: true });

    const c = latestFrames(ring, { resendMs: 60_000 });
    await c.next();
    const pendingC = c.next();
    ring.close();
    await expect(pendingC).resolves.toMatchObject({ done: true });
    expect(ring.waiting).toBe(0);
  });
});

describe('waitForNewerFrame', () => {
  it('answers with the entry, timeout, aborted or closed, and leaves nothing waiting', async () => {
    const ring = new RingBuffer();
    const never = new AbortController().signal;
    const e = ring.add(frames[0]!);
    await expect(waitForNewerFrame(ring, -1, 1000, never)).resolves.toBe(e);
    await expect(waitForNewerFrame(ring, 0, 10, never)).resolves.toBe('timeout');
    const ac = new AbortController();
    const aborted = waitForNewerFrame(ring, 0, 60_000, ac.signal);
    ac.abort();
    await expect(aborted).resolves.toBe('aborted');
    const closed = waitForNewerFrame(ring, 0, 60_000, never);
    ring.close();
    await expect(closed).resolves.toBe('closed');
    expect(ring.waiting).toBe(0);
  });
});
