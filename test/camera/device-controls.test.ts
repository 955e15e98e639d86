import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeviceControls, type DeviceControlsOptions } from '../../src/camera/device-controls.js';
import { ControlError } from '../../src/control/errors.js';
import { ArducamDecoder } from '../../src/protocol/arducam/decoder.js';
import { CamfCommandDecoder } from '../../src/protocol/camf/decoder.js';
import { type ProtocolName, protocolModule } from '../../src/protocol/registry.js';
import type { DeviceEvent } from '../../src/protocol/types.js';
import { SourceError } from '../../src/source/types.js';

/** The controls of a camera speaking `protocol`, writing to `write`. */
function session(
  protocol: ProtocolName,
  write: (bytes: Uint8Array) => Promise<void>,
  options: DeviceControlsOptions = {},
): DeviceControls {
  return new DeviceControls(protocol, protocolModule(protocol).controls!, write, options);
}

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

describe('DeviceControls over CAMF', () => {
  it('sends a type 10 frame and resolves with the next type 04 reply', async () => {
    const port = recordingPort();
    const s = session('camf', port.write);
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
    const s = session('camf', port.write);
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
    const s = session('camf', port.write);
    const p = s.request('brightness', '2');
    await until(() => port.writes.length === 1, 'the command');
    s.handle(reply('error sensor busy'));
    await expect(p).resolves.toEqual({ ok: false, reply: 'error sensor busy' });
  });

  it('rejects an unsupported variable naming the supported list, writing nothing', async () => {
    const port = recordingPort();
    const s = session('camf', port.write);
    const err = await rejection(s.request('zoom', '2'));
    expect(err.kind).toBe('unsupported');
    expect(err.parameter).toBe('var');
    expect(err.message).toContain('unsupported control "zoom"');
    expect(err.supported).toContain('framesize');
    expect(err.supported).toEqual(s.names);
    expect(port.writes).toHaveLength(0);
  });

  it.each([
    ['quality', '3', 'an integer 4..63'],
    ['quality', 'high', 'an integer 4..63'],
    ['brightness', '3', 'an integer -2..2'],
    ['framesize', 'HUGE', 'one of 96X96, QQVGA'],
    ['vflip', '2', '0 or 1'],
    ['special_effect', undefined, 'one of 0, 1, 2, 3, 4, 5, 6'],
    ['snapshot', '1', 'no value'],
  ])('rejects %s=%s as invalid, naming the allowed values', async (variable, value, allowed) => {
    const port = recordingPort();
    const s = session('camf', port.write);
    const err = await rejection(s.request(variable, value));
    expect(err.kind).toBe('invalid');
    expect(err.parameter).toBe('val');
    expect(err.message).toContain(variable);
    expect(err.message).toContain(allowed);
    expect(port.writes).toHaveLength(0);
  });

  it('keeps one command in flight: the second is written only after the first is answered', async () => {
    const port = recordingPort();
    const s = session('camf', port.write);
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
    const s = session('camf', port.write);
    const p = s.request('framesize', 'QVGA');
    const next = s.request('quality', '12');
    const failed = rejection(p);
    await vi.advanceTimersByTimeAsync(2999);
    expect(port.writes).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    const err = await failed;
    expect(err.kind).toBe('timeout');
    expect(err.message).toBe('camera did not answer within 3 s');
    await vi.advanceTimersByTimeAsync(0);
    expect(port.writes).toHaveLength(2);
    s.handle(reply('ok quality=12'));
    await expect(next).resolves.toEqual({ ok: true, reply: 'ok quality=12' });
  });

  it('answers 503 when the port write fails (offline), and recovers when it works again', async () => {
    const port = recordingPort();
    port.fail = new Error('Port is not open');
    const s = session('camf', port.write);
    const err = await rejection(s.request('stream', '1'));
    expect(err.kind).toBe('offline');
    expect(err.message).toContain('Port is not open');
    port.fail = null;
    const p = s.request('stream', '1');
    await until(() => port.writes.length === 1, 'the command');
    s.handle(reply('ok stream=1'));
    await expect(p).resolves.toEqual({ ok: true, reply: 'ok stream=1' });
  });

  it('close() fails the command in flight and the queued ones with 503, and later requests too', async () => {
    const port = recordingPort();
    const s = session('camf', port.write);
    const a = rejection(s.request('quality', '10'));
    const b = rejection(s.request('quality', '11'));
    await until(() => port.writes.length === 1, 'the first command');
    s.close();
    expect((await a).kind).toBe('offline');
    expect((await b).kind).toBe('offline');
    expect((await rejection(s.request('quality', '12'))).kind).toBe('offline');
    expect(port.writes).toHaveLength(1);
  });

  it('an aborted request in flight still holds the line until its answer, so replies do not shift', async () => {
    const port = recordingPort();
    const s = session('camf', port.write);
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
    const s = session('camf', port.write);
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
    const s = session('camf', port.write);
    s.handle(reply('ok stale'));
    const p = s.request('info', undefined);
    await until(() => port.writes.length === 1, 'the command');
    s.handle({ type: 'info', info: { model: 'x' }, raw: '{"model":"x"}' });
    s.handle(reply('ok info'));
    await expect(p).resolves.toEqual({ ok: true, reply: 'ok info' });
  });

  it('validates its options', () => {
    expect(() => session('camf', async () => {}, { timeoutMs: 0 })).toThrow(/"timeoutMs"/);
    expect(() => session('arducam', async () => {}, { variant: 'ov9999' })).toThrow(/"variant"/);
  });
});

describe('DeviceControls over ArduCAM', () => {
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
    const s = session('arducam', port.write);
    const p = s.request(variable, value);
    await until(() => port.writes.length === 1, 'the byte');
    expect([...port.writes[0]!]).toEqual([byte]);
    s.handle({ type: 'log', text: 'done' });
    await expect(p).resolves.toEqual({ ok: true, reply: 'done' });
  });

  it('takes the next ACK CMD line, as the real ArduCAM decoder delivers it, as the reply', async () => {
    const port = recordingPort();
    const s = session('arducam', port.write);
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
    const s = session('arducam', port.write);
    const p = s.request('framesize', '1024x768');
    await vi.advanceTimersByTimeAsync(3000);
    await expect(p).resolves.toEqual({ ok: true, reply: 'sent 0x06' });
  });

  it('rejects sizes the sketch has no byte for, naming the allowed ones', async () => {
    const s = session('arducam', async () => {});
    const err = await rejection(s.request('framesize', 'HD'));
    expect(err.kind).toBe('invalid');
    expect(err.message).toContain('one of 160x120, 176x144, 320x240');
    expect((await rejection(s.request('quality', '10'))).supported).toEqual(s.names);
  });

  it('switches to the OV5642 command table when the sketch greets with "OV5642 detected."', async () => {
    const port = recordingPort();
    const s = session('arducam', port.write, { timeoutMs: 50 });
    expect(s.variant).toBe('ov2640');
    for (const e of new ArducamDecoder().push(Buffer.from('ACK CMD OV5642 detected. END\r\n', 'latin1'))) {
      s.handle(e);
    }
    expect(s.variant).toBe('ov5642');
    const vga = s.request('framesize', 'VGA');
    await until(() => port.writes.length === 1, 'the byte');
    s.handle({ type: 'log', text: 'switch to OV5642_640x480' });
    await vga;
    const max = s.request('framesize', '2592x1944');
    await until(() => port.writes.length === 2, 'the byte');
    s.handle({ type: 'log', text: 'switch to OV5642_2592x1944' });
    await max;
    expect(port.writes.map((w) => [...w])).toEqual([[0x01], [0x06]]);
    const spec = s.schema().find((c) => c.name === 'brightness');
    expect(spec).toMatchObject({ kind: 'int', min: -4, max: 4 });
  });

  it('keeps a forced sensor whatever the sketch says, and knows the OV5640 table', async () => {
    const port = recordingPort();
    const s = session('arducam', port.write, { variant: 'ov5640', timeoutMs: 50 });
    s.handle({ type: 'log', text: 'OV2640 detected.' });
    expect(s.variant).toBe('ov5640');
    for (const [name, value] of [
      ['framesize', '800x480'],
      ['brightness', '4'],
      ['ae_level', '-3'],
      ['wb_mode', '2'],
      ['special_effect', '6'],
    ] as const) {
      const p = s.request(name, value);
      await until(() => port.writes.length > 0, 'the byte');
      s.handle({ type: 'log', text: 'ok' });
      await p;
    }
    // 800x480 is byte 3; brightness +4 0x40; EV-3 0x77; cloudy 0x83; sepia 0x94.
    expect(port.writes.map((w) => w[0])).toEqual([0x03, 0x40, 0x77, 0x83, 0x94]);
  });
});

describe('DeviceControls over Arducam Mega', () => {
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
    const s = session('arducam-mega', port.write);
    const p = s.request(variable, value);
    await vi.advanceTimersByTimeAsync(3000);
    expect([...port.writes[0]!]).toEqual(bytes);
    const hex = bytes.map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(' ');
    await expect(p).resolves.toEqual({ ok: true, reply: `sent ${hex}` });
  });

  it('resolves with the streamoff reply or the camera-info packet when one arrives', async () => {
    const port = recordingPort();
    const s = session('arducam-mega', port.write);
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
    const s = session('arducam-mega', port.write);
    const p = s.request('brightness', '-4');
    await vi.advanceTimersByTimeAsync(3000);
    expect([...port.writes[0]!]).toEqual([0x55, 0x03, 0x08, 0xaa]);
    await p;
    expect((await rejection(s.request('brightness', '5'))).message).toContain('an integer -4..4');
  });
});

describe('DeviceControls bounds and bookkeeping', () => {
  it('jpeg and openiris have no command channel', () => {
    expect(protocolModule('jpeg').controls).toBeUndefined();
    expect(protocolModule('openiris').controls).toBeUndefined();
  });

  it('refuses more than maxQueued waiting requests as busy', async () => {
    const port = recordingPort();
    const s = session('camf', port.write, { maxQueued: 2 });
    const inFlight = s.request('quality', '10');
    await until(() => port.writes.length === 1, 'the first command');
    const queued = [s.request('quality', '11'), s.request('quality', '12')];
    const err = await rejection(s.request('quality', '13'));
    expect(err.kind).toBe('busy');
    s.close();
    await Promise.allSettled([inFlight, ...queued]);
  });

  it('times out a command whose write never completes (a device that stops reading), and frees the line', async () => {
    vi.useFakeTimers();
    const writes: Uint8Array[] = [];
    const s = session('arducam', (bytes) => {
      writes.push(bytes);
      return writes.length === 1 ? new Promise<void>(() => {}) : Promise.resolve();
    });
    const stuck = rejection(s.request('stream', '1'));
    const next = s.request('stream', '0');
    await vi.advanceTimersByTimeAsync(3000);
    const err = await stuck;
    expect(err.kind).toBe('timeout');
    expect(err.message).toContain('not reading its input');
    await vi.advanceTimersByTimeAsync(3000);
    await expect(next).resolves.toEqual({ ok: true, reply: 'sent 0x21' });
  });

  it('a write the port refuses (full queue) or gives up on (timed out) is a 504 naming why, not a 503', async () => {
    for (const code of ['FULL', 'TIMEOUT'] as const) {
      const port = recordingPort();
      port.fail = new SourceError(`the device is not reading its input (${code})`, code);
      const err = await rejection(session('camf', port.write).request('stream', '1'));
      expect(err.kind, code).toBe('timeout');
      expect(err.message).toBe(`the device is not reading its input (${code})`);
    }
  });

  it('publishes current values: from accepted requests and from device info', async () => {
    const port = recordingPort();
    const s = session('camf', port.write);
    s.handle({ type: 'info', info: { framesize: 'QVGA', quality: 12, streaming: true }, raw: '' });
    const q = s.request('quality', '20');
    await until(() => port.writes.length === 1, 'the command');
    s.handle(reply('ok quality=20'));
    await q;
    const byName = new Map(s.schema().map((c) => [c.name, c]));
    expect(byName.get('framesize')).toMatchObject({ value: 'QVGA' });
    expect(byName.get('quality')).toMatchObject({ value: 20 });
    expect(byName.get('stream')).toMatchObject({ value: true });
  });
});
