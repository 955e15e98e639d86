import { describe, expect, it } from 'vitest';
import { ControlError, type ControlErrorKind } from '../../../src/control/errors.js';
import { describeBus, parseNatsUrl, withCredentials } from '../../../src/sinks/nats/address.js';
import { parseKeep } from '../../../src/sinks/nats/keep.js';
import {
  cameraOfSubject,
  cameraSubjects,
  checkSiteName,
  siteFrames,
} from '../../../src/sinks/nats/subjects.js';
import {
  decodeControlReply,
  decodeControlRequest,
  encodeControlReply,
  encodeControlRequest,
  frameHeaders,
  readFrameHeaders,
} from '../../../src/sinks/nats/wire.js';

describe('bus addresses', () => {
  it('reads nats:// URLs with several servers, user:pass or a token, default port 4222', () => {
    expect(parseNatsUrl('nats://a:4223,b,[::1]:5000')).toEqual({
      servers: ['a:4223', 'b:4222', '[::1]:5000'],
    });
    expect(parseNatsUrl('nats://me:p%40ss@a')).toEqual({ servers: ['a:4222'], user: 'me', pass: 'p@ss' });
    expect(parseNatsUrl('nats://t0k3n@a,nats://b:1')).toEqual({ servers: ['a:4222', 'b:1'], token: 't0k3n' });
  });

  it('refuses other URLs without echoing credentials', () => {
    for (const bad of ['http://a', 'nats://', 'nats://a:0', 'nats://a:70000', 'nats://a/b', 'a:4222']) {
      expect(() => parseNatsUrl(bad), bad).toThrow(/must be nats:\/\//);
    }
    expect(() => parseNatsUrl('nats://me:s3cret@a:99999')).toThrow(/got "nats:\/\/\*\*\*@a:99999"/);
  });

  it('takes credentials from the environment only when the URL has none, and never describes them', () => {
    const a = withCredentials(parseNatsUrl('nats://a'), 'me:s3cret');
    expect(a).toMatchObject({ user: 'me', pass: 's3cret' });
    expect(withCredentials(parseNatsUrl('nats://x@a'), 'me:s3cret')).toEqual({
      servers: ['a:4222'],
      token: 'x',
    });
    expect(describeBus(a)).toBe('nats://a:4222 (user auth)');
    expect(describeBus(parseNatsUrl('nats://tok@a'))).toBe('nats://a:4222 (token auth)');
    expect(() => withCredentials(parseNatsUrl('nats://a'), '')).toThrow(/USER:PASS or a token/);
  });
});

describe('bus names', () => {
  it('names each camera’s subjects and stream under its site, and reads a camera back from a subject', () => {
    expect(cameraSubjects('lab', 'door')).toEqual({
      frames: 'camgw.lab.door.frames',
      control: 'camgw.lab.door.control',
      stream: 'CAMGW_lab_door',
    });
    expect(siteFrames('lab')).toBe('camgw.lab.*.frames');
    expect(cameraOfSubject('camgw.lab.door.frames', 'lab')).toBe('door');
    expect(cameraOfSubject('camgw.home.door.frames', 'lab')).toBeUndefined();
    expect(cameraOfSubject('camgw.lab.door.control', 'lab')).toBeUndefined();
    expect(() => checkSiteName('a.b')).toThrow(/letters, digits/);
  });

  it('keeps N frames or N seconds', () => {
    expect(parseKeep('30')).toEqual({ frames: 30 });
    expect(parseKeep('10s')).toEqual({ seconds: 10 });
    for (const bad of ['0', '0s', '-1', '1.5', '10m', ''])
      expect(() => parseKeep(bad), bad).toThrow(/N frames or Ns seconds/);
  });
});

describe('frames on the wire', () => {
  it('carries index, full-precision timestamp, device time, size and origin in headers', () => {
    const entry = {
      frame: Buffer.from([0xff, 0xd8]),
      index: 41,
      timestamp: 1764000000.1234567,
      deviceTimeUs: 99,
    };
    const h = frameHeaders(entry, { width: 320, height: 240 }, 'host-1-abc');
    expect(readFrameHeaders(h)).toEqual({
      index: 41,
      timestamp: 1764000000.1234567,
      deviceTimeUs: 99,
      width: 320,
      height: 240,
      origin: 'host-1-abc',
    });
    const bare = frameHeaders({ frame: entry.frame, index: 0, timestamp: 5 }, undefined, 'o');
    expect(readFrameHeaders(bare)).toEqual({ index: 0, timestamp: 5, origin: 'o' });
  });

  it('ignores messages whose headers are not a frame’s', () => {
    expect(readFrameHeaders(undefined)).toBeUndefined();
    const h = frameHeaders({ frame: Buffer.alloc(0), index: 1, timestamp: 1 }, undefined, 'o');
    h.set('X-Frame-Index', 'x');
    expect(readFrameHeaders(h)).toBeUndefined();
  });
});

describe('control on the wire', () => {
  it('a result comes back as it was', () => {
    expect(decodeControlRequest(encodeControlRequest('quality', '10'))).toEqual({
      var: 'quality',
      val: '10',
    });
    expect(decodeControlRequest(encodeControlRequest('snapshot', undefined))).toEqual({ var: 'snapshot' });
    expect(decodeControlReply(encodeControlReply({ ok: true, reply: 'ok quality=10' }))).toEqual({
      ok: true,
      reply: 'ok quality=10',
    });
  });

  it('every ControlError kind crosses the wire with its parameter and supported list', () => {
    const kinds: ControlErrorKind[] = ['invalid', 'unsupported', 'unavailable', 'busy', 'offline', 'timeout'];
    for (const kind of kinds) {
      const sent = new ControlError(kind, `because ${kind}`, { parameter: 'var', supported: ['a', 'b'] });
      let caught: unknown;
      try {
        decodeControlReply(encodeControlReply(sent));
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ControlError);
      expect(caught).toMatchObject({
        kind,
        message: `because ${kind}`,
        parameter: 'var',
        supported: ['a', 'b'],
      });
    }
  });

  it('any other failure is a plain Error (a 500 on the relay), and a bad request is refused as invalid', () => {
    expect(() => decodeControlReply(encodeControlReply(new Error('disk on fire')))).toThrow(
      expect.objectContaining({ name: 'Error', message: 'disk on fire' }),
    );
    expect(() => decodeControlReply('not json')).toThrow(/unreadable control reply/);
    expect(() => decodeControlRequest('{}')).toThrow(
      expect.objectContaining({ kind: 'invalid', parameter: 'var' }),
    );
    expect(() => decodeControlRequest('{"var":"q","val":3}')).toThrow(
      expect.objectContaining({ parameter: 'val' }),
    );
  });
});
