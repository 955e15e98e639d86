import { afterEach, describe, expect, it, vi } from 'vitest';
import { ControlSession } from '../../src/control/session.js';
import { ArducamDecoder } from '../../src/protocol/arducam.js';
import { CamfCommandDecoder } from '../../src/protocol/camf.js';
import type { DeviceEvent, ProtocolName } from '../../src/protocol/types.js';
import { ControlError } from '../../src/stream/camera-api.js';

/** A port that records what the session wrote; `fail` makes writes reject like a closed port. */
function recordingPort() {
  const writes: Uint8Array[] = [];
  const port = {
    writes,
    fail: null as Error | null,
    write: async (bytes: Uint8Array): Promise<void> => {
      if (port.fail) throw port.fail;
      writes.push(bytes);
    },
    /** The CAMF commands written so far, as `name=value` text, decoded by the real command decoder. */
    camfCommands(): string[] {
      const dec = new CamfCommandDecoder();
      return writes.flatMap((w) => dec.push(w)).flatMap((e) => (e.type === 'command' ? [e.text] : []));
    },
  };
  return port;
}

/** Wait until `cond()` holds, polling microtasks/macrotasks; fails after a deadline. */
async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

function reply(text: string): DeviceEvent {
  return { type: 'reply', text };
}

async function rejection(p: Promise<unknown>): Promise<ControlError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ControlError);
    return err as ControlError;
  }
  throw new Error('expected the request to fail');
}

afterEach(() => {
  vi.useRealTimers();
});

describe('ControlSession over CAMF', () => {
  it('sends a type 10 frame and resolves with the next type 04 reply', async () => {
    const port = recordingPort();
    const s = new ControlSession('camf', port.write);
    const p = s.request('framesize', 'VGA');
    await until(() => port.writes.length === 1, 'the command');
    expect(port.camfCommands()).toEqual(['framesize=VGA']);
    expect(port.writes[0]![5]).toBe(0x10);
    s.handle({ type: 'log', text: 'cmd framesize=VGA' });
    s.handle(reply('ok framesize=VGA'));
    await expect(p).resolves.toEqual({ ok: true, reply: 'ok framesize=VGA' });
  });

  it('normalises CameraWebServer framesize indices, sizes and booleans before sending', async () => {
    const port = recordingPort();
    const s = new ControlSession('camf', port.write);
    for (const [variable, value] of [
      ['framesize', '8'],
      ['framesize', '640x480'],
      ['framesize', 'uxga'],
      ['hmirror', 'true'],
      ['quality', ' 10 '],
      ['snapshot', undefined],
    ] as const) {
      const p = s.request(variable, value);
      await until(() => port.writes.length > 0 && port.camfCommands().length > 0, 'a command');
      s.handle(reply('ok'));
      await p;
    }
    expect(port.camfCommands()).toEqual([
      'framesize=VGA',
      'framesize=VGA',
      'framesize=UXGA',
      'hmirror=1',
      'quality=10',
      'snapshot',
    ]);
  });

  it('reports an error reply as ok:false with the device text', async () => {
    const port = recordingPort();
    const s = new ControlSession('camf', port.write);
    const p = s.request('brightness', '2');
    await until(() => port.writes.length === 1, 'the command');
    s.handle(reply('error sensor busy'));
    await expect(p).resolves.toEqual({ ok: false, reply: 'error sensor busy' });
  });

  it('rejects an unsupported variable with 400 and the supported list, writing nothing', async () => {
    const port = recordingPort();
    const s = new ControlSession('camf', port.write);
    const err = await rejection(s.request('zoom', '2'));
    expect(err.status).toBe(400);
    expect(err.message).toContain('unsupported control "zoom"');
    expect(err.supported).toContain('framesize');
    expect(err.supported).toEqual(s.supported);
    expect(port.writes).toHaveLength(0);
  });

  it.each([
    ['quality', '3', 'an integer 4..63'],
    ['quality', 'high', 'an integer 4..63'],
    ['brightness', '3', 'an integer -2..2'],
    ['framesize', 'HUGE', 'one of 96X96, QQVGA'],
    ['vflip', '2', '0 or 1'],
    ['special_effect', undefined, 'an integer 0..6'],
    ['snapshot', '1', 'no value'],
  ])('rejects %s=%s with 400 naming the allowed values', async (variable, value, allowed) => {
    const port = recordingPort();
    const s = new ControlSession('camf', port.write);
    const err = await rejection(s.request(variable, value));
    expect(err.status).toBe(400);
    expect(err.message).toContain(variable);
    expect(err.message).toContain(allowed);
    expect(port.writes).toHaveLength(0);
  });

  it('keeps one command in flight: the second is written only after the first is answered', async () => {
    const port = recordingPort();
    const s = new ControlSession('camf', port.write);
    const a = s.request('quality', '10');
    const b = s.request('vflip', '1');
    await until(() => port.writes.length === 1, 'the first command');
    // Give the session every chance to (wrongly) send the second one.
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
    expect(port.writes).toHaveLength(1);
    s.handle(reply('ok quality=10'));
    await expect(a).resolves.toEqual({ ok: true, reply: 'ok quality=10' });
    await until(() => port.writes.length === 2, 'the second command');
    s.handle(reply('ok vflip=1'));
    await expect(b).resolves.toEqual({ ok: true, reply: 'ok vflip=1' });
    expect(port.camfCommands()).toEqual(['quality=10', 'vflip=1']);
  });

  it('answers 504 when the device stays silent for the timeout, then serves the next request', async () => {
    vi.useFakeTimers();
    const port = recordingPort();
    const s = new ControlSession('camf', port.write);
    const p = s.request('framesize', 'QVGA');
    const next = s.request('quality', '12');
    const failed = rejection(p);
    await vi.advanceTimersByTimeAsync(2999);
    expect(port.writes).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    const err = await failed;
    expect(err.status).toBe(504);
    expect(err.message).toBe('camera did not answer within 3 s');
    await vi.advanceTimersByTimeAsync(0);
    expect(port.writes).toHaveLength(2);
    s.handle(reply('ok quality=12'));
    await expect(next).resolves.toEqual({ ok: true, reply: 'ok quality=12' });
  });

  it('answers 503 when the port write fails (offline), and recovers when it works again', async () => {
    const port = recordingPort();
    port.fail = new Error('Port is not open');
    const s = new ControlSession('camf', port.write);
    const err = await rejection(s.request('stream', '1'));
    expect(err.status).toBe(503);
    expect(err.message).toContain('Port is not open');
    port.fail = null;
    const p = s.request('stream', '1');
    await until(() => port.writes.length === 1, 'the command');
    s.handle(reply('ok stream=1'));
    await expect(p).resolves.toEqual({ ok: true, reply: 'ok stream=1' });
  });

  it('close() fails the command in flight and the queued ones with 503, and later requests too', async () => {
    const port = recordingPort();
    const s = new ControlSession('camf', port.write);
    const a = rejection(s.request('quality', '10'));
    const b = rejection(s.request('quality', '11'));
    await until(() => port.writes.length === 1, 'the first command');
    s.close();
    expect((await a).status).toBe(503);
    expect((await b).status).toBe(503);
    expect((await rejection(s.request('quality', '12'))).status).toBe(503);
    expect(port.writes).toHaveLength(1);
  });

  it('an aborted request in flight still holds the line until its answer, so replies do not shift', async () => {
    const port = recordingPort();
    const s = new ControlSession('camf', port.write);
    const ac = new AbortController();
    const a = s.request('framesize', 'VGA', ac.signal);
    const b = s.request('quality', '20');
    await until(() => port.writes.length === 1, 'the first command');
    ac.abort(new Error('client went away'));
    await expect(a).rejects.toThrow('client went away');
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
    expect(port.writes).toHaveLength(1);
    s.handle(reply('ok framesize=VGA')); // the aborted command's answer: nobody takes it
    await until(() => port.writes.length === 2, 'the second command');
    s.handle(reply('ok quality=20'));
    await expect(b).resolves.toEqual({ ok: true, reply: 'ok quality=20' });
  });

  it('a request aborted while queued is never sent', async () => {
    const port = recordingPort();
    const s = new ControlSession('camf', port.write);
    const a = s.request('quality', '10');
    const ac = new AbortController();
    const b = s.request('quality', '11', ac.signal);
    const c = s.request('quality', '12');
    ac.abort(new Error('gone'));
    await expect(b).rejects.toThrow('gone');
    await until(() => port.writes.length === 1, 'the first command');
    s.handle(reply('ok quality=10'));
    await a;
    await until(() => port.writes.length === 2, 'the third command');
    s.handle(reply('ok quality=12'));
    await c;
    expect(port.camfCommands()).toEqual(['quality=10', 'quality=12']);
  });

  it('ignores replies while nothing is in flight', async () => {
    const port = recordingPort();
    const s = new ControlSession('camf', port.write);
    s.handle(reply('ok stale'));
    const p = s.request('info', undefined);
    await until(() => port.writes.length === 1, 'the command');
    s.handle({ type: 'info', info: { model: 'x' }, raw: '{"model":"x"}' });
    s.handle(reply('ok info'));
    await expect(p).resolves.toEqual({ ok: true, reply: 'ok info' });
  });

  it('validates its options', () => {
    expect(() => new ControlSession('camf', async () => {}, { timeoutMs: 0 })).toThrow(/"timeoutMs"/);
  });
});

describe('ControlSession over ArduCAM', () => {
  it.each([
    ['framesize', '640x480', 0x04],
    ['framesize', 'VGA', 0x04],
    ['framesize', '160X120', 0x00],
    ['framesize', 'UXGA', 0x08],
    ['snapshot', undefined, 0x10],
    ['stream', '1', 0x20],
    ['stream', '0', 0x21],
    ['wb_mode', '1', 0x41],
    ['saturation', '2', 0x50],
    ['saturation', '-2', 0x54],
    ['brightness', '0', 0x62],
    ['contrast', '-1', 0x73],
    ['special_effect', '0', 0x87],
    ['special_effect', '1', 0x85],
    ['special_effect', '6', 0x80],
  ])('%s=%s sends the single byte the sketch expects', async (variable, value, byte) => {
    const port = recordingPort();
    const s = new ControlSession('arducam', port.write);
    const p = s.request(variable, value);
    await until(() => port.writes.length === 1, 'the byte');
    expect([...port.writes[0]!]).toEqual([byte]);
    s.handle({ type: 'log', text: 'done' });
    await expect(p).resolves.toEqual({ ok: true, reply: 'done' });
  });

  it('takes the next ACK CMD line, as the real ArduCAM decoder delivers it, as the reply', async () => {
    const port = recordingPort();
    const s = new ControlSession('arducam', port.write);
    const decoder = new ArducamDecoder();
    const p = s.request('framesize', '320x240');
    await until(() => port.writes.length === 1, 'the byte');
    for (const e of decoder.push(Buffer.from('ACK CMD switch to OV2640_320x240 END\r\n', 'latin1')))
      s.handle(e);
    await expect(p).resolves.toEqual({ ok: true, reply: 'switch to OV2640_320x240' });
  });

  it('reports what was sent when the sketch does not answer within the timeout', async () => {
    vi.useFakeTimers();
    const port = recordingPort();
    const s = new ControlSession('arducam', port.write);
    const p = s.request('framesize', '1024x768');
    await vi.advanceTimersByTimeAsync(3000);
    await expect(p).resolves.toEqual({ ok: true, reply: 'sent 0x06' });
  });

  it('rejects sizes the sketch has no byte for, naming the allowed ones', async () => {
    const s = new ControlSession('arducam', async () => {});
    const err = await rejection(s.request('framesize', 'HD'));
    expect(err.status).toBe(400);
    expect(err.message).toContain('one of 160x120, 176x144, 320x240');
    expect((await rejection(s.request('quality', '10'))).supported).toEqual(s.supported);
  });
});

describe('ControlSession over Arducam Mega', () => {
  it.each([
    ['framesize', 'VGA', [0x55, 0x01, 0x12, 0xaa]],
    ['framesize', '1920x1080', [0x55, 0x01, 0x17, 0xaa]],
    ['snapshot', undefined, [0x55, 0x10, 0xaa]],
    ['stream', '1', [0x55, 0x02, 0x01, 0xaa]],
    ['stream', '0', [0x55, 0x21, 0xaa]],
    ['info', undefined, [0x55, 0x0f, 0xaa]],
    ['brightness', '2', [0x55, 0x03, 0x03, 0xaa]],
    ['brightness', '-1', [0x55, 0x03, 0x02, 0xaa]],
    ['special_effect', '1', [0x55, 0x08, 0x05, 0xaa]],
  ])('%s=%s sends 55 cmd args AA', async (variable, value, bytes) => {
    vi.useFakeTimers();
    const port = recordingPort();
    const s = new ControlSession('arducam-mega', port.write);
    const p = s.request(variable, value);
    await vi.advanceTimersByTimeAsync(3000);
    expect([...port.writes[0]!]).toEqual(bytes);
    const hex = bytes.map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(' ');
    await expect(p).resolves.toEqual({ ok: true, reply: `sent ${hex}` });
  });

  it('resolves with the streamoff reply or the camera-info packet when one arrives', async () => {
    const port = recordingPort();
    const s = new ControlSession('arducam-mega', port.write);
    const stop = s.request('stream', '0');
    await until(() => port.writes.length === 1, 'the command');
    s.handle({ type: 'log', text: 'greeting' });
    s.handle(reply('streamoff'));
    await expect(stop).resolves.toEqual({ ok: true, reply: 'streamoff' });
    const info = s.request('info', undefined);
    await until(() => port.writes.length === 2, 'the command');
    s.handle({ type: 'info', info: { cameraType: '5MP' }, raw: 'Camera Type:5MP' });
    await expect(info).resolves.toEqual({ ok: true, reply: 'Camera Type:5MP' });
  });

  it('accepts the Mega level ranges (brightness -4..4) and rejects beyond', async () => {
    vi.useFakeTimers();
    const port = recordingPort();
    const s = new ControlSession('arducam-mega', port.write);
    const p = s.request('brightness', '-4');
    await vi.advanceTimersByTimeAsync(3000);
    expect([...port.writes[0]!]).toEqual([0x55, 0x03, 0x08, 0xaa]);
    await p;
    expect((await rejection(s.request('brightness', '5'))).message).toContain('an integer -4..4');
  });
});

describe('ControlSession without a command channel', () => {
  it.each(['jpeg', 'openiris'] as ProtocolName[])(
    '%s accepts no controls (400, empty supported)',
    async (p) => {
      const port = recordingPort();
      const s = new ControlSession(p, port.write);
      expect(s.supported).toEqual([]);
      const err = await rejection(s.request('framesize', 'VGA'));
      expect(err.status).toBe(400);
      expect(err.supported).toEqual([]);
      expect(err.message).toContain('accepts no controls');
      expect(port.writes).toHaveLength(0);
    },
  );
});
