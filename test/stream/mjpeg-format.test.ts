import { describe, expect, it } from 'vitest';
import { entryPart, openingBytes, partHeaderText, placeholderPart } from '../../src/stream/mjpeg-format.js';
import { RingBuffer } from '../../src/stream/ring-buffer.js';
import { fixtureFrames } from '../helpers/fake-camera.js';
import { MultipartParser } from '../helpers/multipart.js';

const frames = fixtureFrames();

describe('MJPEG parts', () => {
  it('formats Content-Length, X-Timestamp with 6 decimals and X-Frame-Index', () => {
    expect(partHeaderText({ timestamp: 1764000000.1234567, index: 7 }, 42)).toBe(
      'Content-Type: image/jpeg\r\nContent-Length: 42\r\nX-Timestamp: 1764000000.123457\r\nX-Frame-Index: 7\r\n\r\n',
    );
  });

  it('builds one part per entry (headers, JPEG, boundary), the same Buffer for every caller', () => {
    const ring = new RingBuffer(10);
    const entry = ring.add(frames[0]!, 5);
    const part = entryPart(entry, 'normal');
    expect(entryPart(entry, 'normal')).toBe(part);
    const parsed = new MultipartParser().push(Buffer.concat([openingBytes('normal'), part]));
    expect(parsed).toHaveLength(1);
    expect(parsed[0]!.body.equals(frames[0]!)).toBe(true);
    expect(parsed[0]!.headers['x-frame-index']).toBe('0');
    expect(parsed[0]!.headers['x-timestamp']).toBe(entry.timestamp.toFixed(6));
  });

  it('advance mode puts the next headers (no Content-Length) right after each frame', () => {
    const ring = new RingBuffer(10);
    const entry = ring.add(frames[0]!);
    expect(openingBytes('advance').toString('latin1')).toMatch(
      /^--frame\r\nContent-Type: image\/jpeg\r\nX-Timestamp: \d+\.\d{6}\r\n\r\n$/,
    );
    const part = entryPart(entry, 'advance');
    expect(part.subarray(0, frames[0]!.length).equals(frames[0]!)).toBe(true);
    expect(part.subarray(frames[0]!.length).toString('latin1')).toMatch(
      /^\r\n--frame\r\nContent-Type: image\/jpeg\r\nX-Timestamp: \d+\.\d{6}\r\n\r\n$/,
    );
    const placeholder = placeholderPart(frames[1]!, 'normal');
    const parsed = new MultipartParser().push(Buffer.concat([openingBytes('normal'), placeholder]));
    expect(parsed[0]!.body.equals(frames[1]!)).toBe(true);
    expect(parsed[0]!.headers['x-frame-index']).toBeUndefined();
  });
});
