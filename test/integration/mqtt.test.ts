/**
 * Home Assistant through MQTT, against a real `mosquitto` on a loopback port: the gateway
 * (`--demo --mqtt`, the CLI) publishes discovery configs carrying what Home Assistant's MQTT
 * platforms require, JPEGs on the image topic equal to frames the gateway serves over HTTP,
 * commands from a switch go through the camera's control path, and stopping the gateway —
 * cleanly, or by a crash through its last will — flips availability to offline.
 */
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NO_SIGNAL_JPEG } from '../../src/stream/no-signal.js';
import { type Mosquitto, startMosquitto } from '../helpers/brokers.js';
import { type CliRun, freePort, startCli, until, watchStream } from '../helpers/cli.js';
import { describeWithTools } from '../helpers/tools.js';

interface Received {
  topic: string;
  payload: Buffer;
  retain: boolean;
}

type Config = Record<string, unknown> & { device?: { identifiers?: string[] } };

describeWithTools(['mosquitto'], 'Home Assistant over MQTT', () => {
  let broker: Mosquitto;
  let client: MqttClient;
  const got: Received[] = [];
  let cli: CliRun | undefined;
  let url = '';

  const start = async (): Promise<void> => {
    const port = await freePort();
    cli = startCli(
      ['--demo', '--mqtt', broker.url, '--mqtt-fps', '5', '--site', 'home', '--listen', String(port)],
      {},
      'node',
    );
    url = (await cli.waitFor(/open (http:\/\/\S+?)\/?(\s|;|$)/))[1]!;
  };
  const latest = (topic: string): Received | undefined => got.filter((m) => m.topic === topic).at(-1);
  const config = (topic: string): Config => JSON.parse(latest(topic)!.payload.toString()) as Config;

  beforeAll(async () => {
    broker = await startMosquitto();
    client = await connectAsync(broker.url);
    client.on('message', (topic, payload, packet) => got.push({ topic, payload, retain: packet.retain }));
    await client.subscribeAsync(['homeassistant/#', 'camgw/#']);
    await start();
  }, 30_000);
  afterAll(async () => {
    await cli?.stop();
    await client?.endAsync();
    await broker?.close();
  });

  it('publishes discovery for the camera, its sensors and one entity per control, with the fields Home Assistant requires', async () => {
    const prefix = 'homeassistant';
    const node = 'camgw_home_cam0';
    const topics = {
      camera: `${prefix}/camera/${node}/camera/config`,
      online: `${prefix}/binary_sensor/${node}/online/config`,
      fps: `${prefix}/sensor/${node}/fps/config`,
      crc: `${prefix}/sensor/${node}/crc_errors/config`,
      stream: `${prefix}/switch/${node}/stream/config`,
      snapshot: `${prefix}/button/${node}/snapshot/config`,
    };
    await until('every discovery config', () => Object.values(topics).every((t) => latest(t)), 10_000);
    // Retained: a Home Assistant that starts later gets them all on subscribing.
    const later = await connectAsync(broker.url);
    const retained = new Set<string>();
    later.on('message', (topic, _payload, packet) => packet.retain && retained.add(topic));
    await later.subscribeAsync('homeassistant/#');
    await until('the retained configs', () => Object.values(topics).every((t) => retained.has(t)), 5000);
    await later.endAsync();
    for (const t of Object.values(topics)) {
      const c = config(t);
      expect(c.unique_id, t).toMatch(/^camgw_home_cam0_/);
      expect(c.name, t).toEqual(expect.any(String));
      expect(c.device?.identifiers).toEqual([node]);
      expect(c.availability_topic).toEqual(
        expect.stringMatching(/^camgw\/home\/gateways\/.+\/availability$/),
      );
    }
    // camera: `topic` (required); the payload is the raw image.
    expect(config(topics.camera).topic).toBe('camgw/home/cam0/image');
    // sensor / binary_sensor: `state_topic` (required), read through a template.
    for (const t of [topics.online, topics.fps, topics.crc]) {
      expect(config(t)).toMatchObject({
        state_topic: 'camgw/home/cam0/state',
        value_template: expect.any(String),
      });
    }
    expect(config(topics.online).device_class).toBe('connectivity');
    expect(config(topics.fps).unit_of_measurement).toBe('fps');
    // The demo's controls: `stream` (bool) → switch, `snapshot` (action) → button; `command_topic` required.
    expect(config(topics.stream)).toMatchObject({
      command_topic: 'camgw/home/cam0/stream/set',
      state_topic: 'camgw/home/cam0/stream/state',
      payload_on: 'ON',
      payload_off: 'OFF',
    });
    expect(config(topics.snapshot)).toMatchObject({
      command_topic: 'camgw/home/cam0/snapshot/set',
      payload_press: 'PRESS',
    });
    const state = JSON.parse(latest('camgw/home/cam0/state')!.payload.toString()) as Record<string, unknown>;
    expect(state).toMatchObject({ online: true, crcErrors: 0 });
    expect(latest(config(topics.online).availability_topic as string)?.payload.toString()).toBe('online');
  });

  it('the JPEGs on the image topic are frames the gateway serves', async () => {
    const stream = await watchStream(`${url}/stream`);
    const from = got.length;
    await until(
      '5 images',
      () => got.slice(from).filter((m) => m.topic === 'camgw/home/cam0/image').length >= 5,
      5000,
    );
    stream.close();
    const served = new Set(
      stream.parts.filter((p) => !p.body.equals(NO_SIGNAL_JPEG)).map((p) => p.body.toString('base64')),
    );
    const images = got.slice(from).filter((m) => m.topic === 'camgw/home/cam0/image');
    expect(served.size).toBeGreaterThan(5);
    for (const image of images) {
      expect(image.payload.subarray(0, 2).toString('hex')).toBe('ffd8');
      expect(served.has(image.payload.toString('base64')), 'an image the HTTP stream also served').toBe(true);
    }
  });

  it('a command on the switch goes through the camera’s control path (the demo pauses) and its state follows', async () => {
    await client.publishAsync('camgw/home/cam0/stream/set', 'OFF');
    await until(
      'the stream switch OFF',
      () => latest('camgw/home/cam0/stream/state')?.payload.toString() === 'OFF',
      5000,
    );
    const status = (await (await fetch(`${url}/status`)).json()) as {
      cameras: { controls: { name: string; value?: unknown }[] }[];
    };
    expect(status.cameras[0]!.controls.find((c) => c.name === 'stream')?.value).toBe(false);
    await client.publishAsync('camgw/home/cam0/stream/set', 'ON');
    await until(
      'the stream switch ON',
      () => latest('camgw/home/cam0/stream/state')?.payload.toString() === 'ON',
      5000,
    );
  });

  it('stopping the gateway flips availability to offline; so does a crash (last will)', async () => {
    const availability = config('homeassistant/camera/camgw_home_cam0/camera/config')
      .availability_topic as string;
    const { code } = await cli!.stop('SIGTERM');
    expect(code).toBe(0);
    await until(
      'offline after a clean stop',
      () => latest(availability)?.payload.toString() === 'offline',
      5000,
    );

    await start();
    await until('online again', () => latest(availability)?.payload.toString() === 'online', 10_000);
    await cli!.stop('SIGKILL');
    await until(
      'offline after a crash (the last will)',
      () => latest(availability)?.payload.toString() === 'offline',
      5000,
    );
    cli = undefined;
  }, 30_000);
});
