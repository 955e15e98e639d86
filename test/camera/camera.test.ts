import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPortMock } from 'serialport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Camera } from '../../src/camera/camera.js';
import { RateMeter } from '../../src/camera/rates.js';
import { resolveCamera } from '../../src/config.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { createLogger } from '../../src/log.js';
import { CamfCommandDecoder } from '../../src/protocol/camf/decoder.js';
import { CamfEncoder } from '../../src/protocol/camf/frame.js';
import { ReplaySource } from '../../src/source/replay.js';
import { SerialSource } from '../../src/source/serial.js';
import { NO_SIGNAL_JPEG } from '../../src/stream/no-signal.js';
import { until, watchStream } from '../helpers/cli.js';
import { fixtureFrames } from '../helpers/fake-camera.js';

const MockBinding = SerialPortMock.binding;
type MockPortBinding = Awaited<ReturnType<typeof MockBinding.open>>;
const PATH = '/dev/ttyCAM0';
const frames = fixtureFrames('qvga');

const mockPort = (source: SerialSource): MockPortBinding => source.stream!.port as unknown as MockPortBinding;

/** Commands the host wrote to the mock port, decoded as the device would. */
function commandsSent(port: MockPortBinding): string[] {
  const decoder = new CamfCommandDecoder();
  return decoder.push(port.recording).flatMap((e) => (e.type === 'command' ? [e.text] : []));
}

beforeEach(() => MockBinding.createPort(PATH, { echo: false, record: true }));
afterEach(() => MockBinding.reset());

describe('Camera behind a real HTTP socket (mock serial port)', () => {
  let gateway: Gateway;
  afterEach(async () => gateway?.stop());

  it('serves the frames the device sends, byte-exact, and the same stream survives an unplug', async () => {
    gateway = createGateway({
      cameras: [{ port: PATH, protocol: 'camf' }],
      port: 0,
      binding: MockBinding,
    });
    await gateway.start();
    const camera = gateway.cameras[0]!;
    const source = camera.source as SerialSource;
    const device = new CamfEncoder();
    const stream = await watchStream(`${gateway.url}/stream`);
    expect(stream.status).toBe(200);

    // One frame at a time, each waited for: every one arrives exactly as sent.
    for (const jpeg of frames.slice(0, 6)) {
      const from = stream.parts.length;
      mockPort(source).emitData(device.jpeg(jpeg));
      const part = await stream.waitForPart('the frame', (p) => p.body.equals(jpeg), 5000, from);
      expect(part.headers['content-type']).toBe('image/jpeg');
      expect(Number(part.headers['content-length'])).toBe(jpeg.length);
    }

    // Unplug in the middle of a frame: offline, /status says why, the open stream shows "no signal",
    // and the half frame is counted as truncated, never served.
    const half = device.jpeg(frames[6]!).subarray(0, 3000);
    const before = camera.status().bytes;
    mockPort(source).emitData(half);
    await until('the half frame read', () => camera.status().bytes === before + half.length);
    MockBinding.reset();
    source.stream!._disconnected(new Error('device disconnected'));
    await until('camera offline', () => !camera.online);
    const status = (await (await fetch(`${gateway.url}/status`)).json()) as {
      cameras: { online: boolean; lastError: string | null }[];
    };
    expect(status.cameras[0]).toMatchObject({
      online: false,
      lastError: expect.stringMatching(/went away/),
      truncated: 1,
    });
    const offlineFrom = stream.parts.length;
    await stream.waitForPart('the no-signal card', (p) => p.body.equals(NO_SIGNAL_JPEG), 5000, offlineFrom);

    // Replug: the same HTTP stream carries the new frames.
    MockBinding.createPort(PATH, { echo: false, record: true });
    await until('camera back online', () => camera.online, 5000);
    const after = new CamfEncoder();
    for (const jpeg of frames.slice(6, 9)) {
      const from = stream.parts.length;
      mockPort(source).emitData(after.jpeg(jpeg));
      await stream.waitForPart('a frame after replug', (p) => p.body.equals(jpeg), 5000, from);
    }
    expect(camera.status()).toMatchObject({ online: true, lastError: null, frames: 9 });
    stream.close();
  });
});

describe('Camera /status while the source has a problem', () => {
  let gateway: Gateway;
  afterEach(async () => gateway?.stop());

  it('a recording that stopped (disk full) shows in lastError at once, while the camera stays online', async () => {
    gateway = createGateway({
      cameras: [{ port: PATH, protocol: 'camf', record: '/dev/full' }],
      port: 0,
      binding: MockBinding,
      logger: createLogger({ level: 'error', write: () => {} }),
    });
    await gateway.start();
    const source = gateway.cameras[0]!.source as SerialSource;
    mockPort(source).emitData(new CamfEncoder().jpeg(frames[0]!));
    const cam = await until('the error in /status', async () => {
      const body = (await (await fetch(`${gateway.url}/status`)).json()) as {
        cameras: { online: boolean; frames: number; lastError: string | null }[];
      };
      return body.cameras[0]!.lastError ? body.cameras[0] : undefined;
    });
    expect(cam).toMatchObject({
      online: true,
      frames: 1,
      lastError: expect.stringMatching(/cannot write recording \/dev\/full/),
    });
  });
});

describe('Camera', () => {
  const cameras: Camera[] = [];
  afterEach(async () => {
    for (const c of cameras.splice(0)) await c.stop();
  });

  function camera(options: Parameters<typeof resolveCamera>[0]): { camera: Camera; source: SerialSource } {
    const source = new SerialSource({ path: PATH, baudRate: 921_600, binding: MockBinding });
    const cam = new Camera(resolveCamera(options, 0).settings, { source });
    cameras.push(cam);
    return { camera: cam, source };
  }

  it('keeps counters, device info, device logs and the last frame size for /status', async () => {
    const { camera: cam, source } = camera({ port: PATH, protocol: 'camf' });
    await cam.start();
    const device = new CamfEncoder();
    const info = { model: 'ESP32-CAM', sensor: 'OV2640', framesize: 'QVGA' };
    const corrupt = device.jpeg(frames[1]!);
    corrupt[100] ^= 0xff;
    mockPort(source).emitData(
      Buffer.concat([
        device.info(info),
        device.log('camera ready'),
        device.jpeg(frames[0]!),
        corrupt,
        device.jpeg(frames[2]!),
      ]),
    );
    await until('two frames', () => cam.status().frames === 2);
    const s = cam.status();
    expect(s).toMatchObject({
      name: 'cam0',
      port: PATH,
      protocol: 'camf',
      detectedProtocol: 'camf',
      online: true,
      crcErrors: 1,
      info,
      logs: ['camera ready'],
      lastFrame: { index: 1, bytes: frames[2]!.length, width: 320, height: 240 },
      idle: null,
    });
    expect(s.bytes).toBeGreaterThan(frames[0]!.length + frames[1]!.length + frames[2]!.length);
    expect(s.controls.map((c) => c.name)).toContain('framesize');
    expect(cam.ring.latest()!.frame.equals(frames[2]!)).toBe(true);
  });

  it('detects the protocol in auto mode and then accepts controls', async () => {
    const { camera: cam, source } = camera({ port: PATH });
    await cam.start();
    expect(cam.controls()).toEqual([]);
    await expect(cam.control('quality', '10')).rejects.toMatchObject({ kind: 'unavailable' });
    const device = new CamfEncoder();
    mockPort(source).emitData(Buffer.concat([device.jpeg(frames[0]!), device.jpeg(frames[1]!)]));
    await until('detected', () => cam.detectedProtocol === 'camf');
    expect(cam.controls().map((c) => c.name)).toContain('quality');
    const reply = cam.control('quality', '10');
    await until('the command on the wire', () => commandsSent(mockPort(source)).includes('quality=10'));
    mockPort(source).emitData(device.reply('ok'));
    await expect(reply).resolves.toEqual({ ok: true, reply: 'ok' });
  });

  it('counts viewers and what they were sent', async () => {
    const { camera: cam } = camera({ port: PATH, protocol: 'camf' });
    await cam.start();
    const a = cam.attachViewer({ kind: 'stream', remote: '127.0.0.1:5000', fpsCap: 5 });
    const b = cam.attachViewer({ kind: 'snapshot' });
    a.frameSent(1000);
    a.frameSent(500);
    b.frameSent(700);
    b.release();
    b.release();
    const clients = cam.status().clients;
    expect(clients).toEqual([
      expect.objectContaining({
        id: a.id,
        kind: 'stream',
        remote: '127.0.0.1:5000',
        fpsCap: 5,
        frames: 2,
        bytes: 1500,
      }),
    ]);
    expect(clients[0]!.fps).toBeGreaterThan(0);
    expect(cam.status().fps.served).toBeGreaterThan(0);
    // Frame ages of what clients read, for a histogram (a /metrics endpoint): one call per frame read.
    const ages: number[] = [];
    const stop = cam.onFrameAge((seconds) => ages.push(seconds));
    a.frameConsumed(0.04);
    a.frameConsumed(0.25);
    stop();
    a.frameConsumed(1);
    expect(ages).toEqual([0.04, 0.25]);
    expect(cam.status().clients[0]).toMatchObject({ consumed: 3, age: 1 });
    a.release();
    expect(cam.status().clients).toEqual([]);
  });

  it('--idle-stop: stops the device stream without viewers, restarts it for the first viewer', async () => {
    const { camera: cam, source } = camera({ port: PATH, protocol: 'camf', idleStopSeconds: 0.2 });
    await cam.start();
    const device = new CamfEncoder();
    expect(cam.status().idle).toEqual({ stopAfterSeconds: 0.2, stopped: false });
    await until('stream=0 sent', () => commandsSent(mockPort(source)).includes('stream=0'), 3000);
    mockPort(source).emitData(device.reply('ok'));
    expect(cam.status().idle).toEqual({ stopAfterSeconds: 0.2, stopped: true });
    const lease = cam.attachViewer({ kind: 'stream' });
    await until('stream=1 sent', () => commandsSent(mockPort(source)).includes('stream=1'), 3000);
    mockPort(source).emitData(device.reply('ok'));
    expect(cam.status().idle?.stopped).toBe(false);
    lease.release();
    await until('stopped again', () => cam.status().idle?.stopped === true, 3000);
  });

  it('ArduCAM: sends the stream-start byte after the sketch says the sensor was detected, the stop byte on shutdown', async () => {
    const { camera: cam, source } = camera({ port: PATH, protocol: 'arducam' });
    await cam.start();
    const port = mockPort(source);
    port.emitData(Buffer.from('ACK CMD ArduCAM Start! END\r\nACK CMD OV2640 detected. END\r\n'));
    await until('stream start byte', () => port.recording.includes(0x20), 3000);
    expect(cam.status().logs).toEqual(expect.arrayContaining([expect.stringMatching(/OV2640 detected/)]));
    await cam.stop();
    expect(port.recording.at(-1)).toBe(0x21);
    expect(cam.online).toBe(false);
  });

  it('a looping replay is not counted as device restarts or drops, nor repeats its log lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'camera-replay-'));
    try {
      const file = join(dir, 'three.camf');
      const device = new CamfEncoder();
      writeFileSync(
        file,
        Buffer.concat([device.log('hello'), ...frames.slice(0, 3).map((f) => device.jpeg(f))]),
      );
      const config = resolveCamera({ replay: file, baudRate: 2_000_000 }, 0);
      const cam = new Camera(config.settings, { source: new ReplaySource({ file, baudRate: 2_000_000 }) });
      cameras.push(cam);
      await cam.start();
      await until('three passes', () => cam.status().frames >= 9, 5000);
      expect(cam.status()).toMatchObject({
        detectedProtocol: 'camf',
        deviceRestarts: 0,
        deviceDrops: 0,
        crcErrors: 0,
        logs: ['hello'],
      });
      await expect(cam.control('quality', '10')).rejects.toMatchObject({
        kind: 'unsupported',
        supported: ['stream', 'snapshot'],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a recording honours stream and snapshot: pause, exactly one more frame, resume', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'camera-playback-'));
    try {
      const file = join(dir, 'loop.camf');
      const device = new CamfEncoder();
      writeFileSync(file, Buffer.concat(frames.slice(0, 6).map((f) => device.jpeg(f))));
      const config = resolveCamera({ replay: file, baudRate: 500_000 }, 0);
      const cam = new Camera(config.settings, { source: new ReplaySource({ file, baudRate: 500_000 }) });
      cameras.push(cam);
      await cam.start();
      expect(cam.controls().map((c) => [c.name, c.kind])).toEqual([
        ['stream', 'bool'],
        ['snapshot', 'action'],
      ]);
      await until('frames', () => cam.ring.nextIndex >= 2, 5000);
      await expect(cam.control('stream', '0')).resolves.toEqual({ ok: true, reply: 'ok stream=0' });
      expect(cam.controls()[0]).toMatchObject({ name: 'stream', value: false });
      const paused = cam.ring.nextIndex;
      // Paused: a snapshot plays exactly one more frame and pauses again.
      await expect(cam.control('snapshot', undefined)).resolves.toEqual({ ok: true, reply: 'ok snapshot' });
      expect(cam.ring.nextIndex).toBe(paused + 1);
      await expect(cam.control('stream', 'maybe')).rejects.toMatchObject({
        kind: 'invalid',
        parameter: 'val',
      });
      await expect(cam.control('stream', '1')).resolves.toMatchObject({ ok: true });
      await until('playing again', () => cam.ring.nextIndex >= paused + 3, 5000);
      expect(cam.controls()[0]).toMatchObject({ name: 'stream', value: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ArduCAM: sends the stream-start byte after ~2.5 s without frames when the sketch stays silent', async () => {
    const { camera: cam, source } = camera({ port: PATH, protocol: 'arducam' });
    const t0 = performance.now();
    await cam.start();
    const port = mockPort(source);
    await until('stream start byte', () => port.recording.includes(0x20), 5000);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(2400);
  });

  it('answers a control request with 503 while the port is gone', async () => {
    const { camera: cam, source } = camera({ port: PATH, protocol: 'camf' });
    await cam.start();
    MockBinding.reset();
    source.stream!._disconnected(new Error('gone'));
    await until('offline', () => !cam.online);
    await expect(cam.control('quality', '10')).rejects.toMatchObject({
      kind: 'offline',
      message: expect.stringMatching(/offline/),
    });
  });
});

describe('RateMeter', () => {
  it('averages over the last 3 s, from the first sample while younger, and drops to 0 after silence', () => {
    const meter = new RateMeter();
    expect(meter.rate(100)).toBe(0);
    for (let i = 0; i < 60; i++) meter.add(1, 100 + i * 0.05); // 20 events/s for 3 s
    expect(meter.rate(103)).toBeCloseTo(20, 0);
    meter.add(1000, 103); // bursts add up within a bucket
    expect(meter.rate(103)).toBeGreaterThan(300);
    expect(meter.rate(110)).toBe(0);
    const young = new RateMeter();
    young.add(5, 50);
    expect(young.rate(50.5)).toBe(5); // less than a second of history counts as one second
  });
});
