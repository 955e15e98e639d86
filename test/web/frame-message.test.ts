import { describe, expect, it } from 'vitest';
import { NO_SIGNAL_JPEG } from '../../src/stream/no-signal.js';
import { RingBuffer } from '../../src/stream/ring-buffer.js';
import { ViewerMessages } from '../../src/stream/viewer-message.js';
import { ackMessage, parseFrameMessage, parseServerText, watchMessage } from '../../src/web/frame-message.js';
import { drawFpsFrom } from '../../src/web/frame-painter.js';
import { socketUrl } from '../../src/web/live-socket.js';
import { fixtureFrames } from '../helpers/fake-camera.js';

/** The message as the page gets it: an ArrayBuffer of its own. */
function received(message: Buffer): ArrayBuffer {
  return new Uint8Array(message).buffer;
}

describe('viewer frame messages', () => {
  it('the page reads what the gateway builds: camera, index, timestamp, the JPEG byte-exact', () => {
    const ring = new RingBuffer(4);
    const jpeg = fixtureFrames()[3]!;
    for (let i = 0; i < 6; i++) ring.add(jpeg);
    const entry = ring.add(jpeg, undefined, 1764000000.123456);
    const message = new ViewerMessages(7).frame(entry);
    // The documented layout: 24-byte header, little-endian.
    expect(message.readUInt16LE(0)).toBe(24);
    expect([message[2], message[3]]).toEqual([1, 0]);
    expect(message.readUInt32LE(4)).toBe(7);
    expect(message.readBigUInt64LE(8)).toBe(6n);
    expect(message.readDoubleLE(16)).toBe(1764000000.123456);
    expect(message.length).toBe(24 + jpeg.length);
    const read = parseFrameMessage(received(message))!;
    expect(read).toMatchObject({ kind: 'frame', camera: 7, index: 6, timestamp: 1764000000.123456 });
    expect(Buffer.from(read.jpeg).equals(jpeg)).toBe(true);
  });

  it('is built once per frame for every page, and the placeholder once per camera', () => {
    const ring = new RingBuffer(4);
    const messages = new ViewerMessages(0);
    const a = ring.add(fixtureFrames()[0]!);
    expect(messages.frame(a)).toBe(messages.frame(a));
    const b = ring.add(fixtureFrames()[1]!);
    expect(messages.frame(b)).not.toBe(messages.frame(a));
    const card = messages.placeholder(NO_SIGNAL_JPEG);
    expect(messages.placeholder(NO_SIGNAL_JPEG)).toBe(card);
    const read = parseFrameMessage(received(card))!;
    expect(read).toMatchObject({ kind: 'placeholder', camera: 0, index: 0, timestamp: 0 });
    expect(Buffer.from(read.jpeg).equals(NO_SIGNAL_JPEG)).toBe(true);
  });

  it('skips a longer header it does not know, reads an unknown kind as "other", refuses a short message', () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xd9]);
    const longer = Buffer.alloc(32 + jpeg.length);
    longer.writeUInt16LE(32, 0);
    longer[2] = 1;
    longer.writeUInt32LE(2, 4);
    jpeg.copy(longer, 32);
    expect(Buffer.from(parseFrameMessage(received(longer))!.jpeg).equals(jpeg)).toBe(true);
    longer[2] = 9;
    expect(parseFrameMessage(received(longer))).toMatchObject({ kind: 'other', camera: 2 });
    expect(parseFrameMessage(new ArrayBuffer(23))).toBeUndefined();
    const lying = Buffer.alloc(24);
    lying.writeUInt16LE(200, 0);
    expect(parseFrameMessage(received(lying))).toBeUndefined();
  });

  it('text messages both ways', () => {
    expect(JSON.parse(watchMessage(['a', 'b c']))).toEqual({ type: 'watch', cameras: ['a', 'b c'] });
    expect(JSON.parse(ackMessage(3))).toEqual({ type: 'ack', camera: 3 });
    expect(parseServerText('{"type":"status","status":{"uptime":1}}')).toEqual({
      type: 'status',
      status: { uptime: 1 },
    });
    expect(parseServerText('{"type":"error","error":"no"}')).toEqual({ type: 'error', error: 'no' });
    expect(parseServerText('{"type":"later"}')).toEqual({ type: 'other' });
    expect(parseServerText('nope')).toEqual({ type: 'other' });
  });
});

describe('the page around its socket', () => {
  it('finds the socket next to the page, behind a sub-path and over TLS too', () => {
    expect(socketUrl('http://127.0.0.1:8080/')).toBe('ws://127.0.0.1:8080/ws');
    expect(socketUrl('https://home.example/cams/?draw_fps=2#x')).toBe('wss://home.example/cams/ws');
  });

  it('reads ?draw_fps= only as a positive number', () => {
    expect(drawFpsFrom('?draw_fps=2')).toBe(2);
    expect(drawFpsFrom('?a=1&draw_fps=0.5')).toBe(0.5);
    for (const bad of ['', '?draw_fps=', '?draw_fps=0', '?draw_fps=-1', '?draw_fps=fast']) {
      expect(drawFpsFrom(bad)).toBeUndefined();
    }
  });
});
