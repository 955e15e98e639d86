/**
 * An origin gateway (`--demo`, through the library) publishing on a real `nats-server`, checked
 * from the bus side with a plain NATS client: every frame on `camgw.<site>.<camera>.frames` with
 * its headers; a memory stream keeping the last N frames; the status in the KV bucket at most
 * once a second; a frame over the server's `max_payload` not published, counted and logged once
 * with the setting to raise; and the server dying and coming back: the local HTTP stream never
 * notices, and publishing resumes by itself.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { createLogger } from '../../src/log.js';
import { readFrameHeaders } from '../../src/sinks/nats/wire.js';
import { type NatsCluster, startNats } from '../helpers/brokers.js';
import { type ReceivedPart, until, watchStream } from '../helpers/cli.js';
import { describeWithTools } from '../helpers/tools.js';

const isFrame = (p: ReceivedPart): boolean => p.headers['x-frame-index'] !== undefined;

describeWithTools(['nats-server'], 'an origin publishing on NATS', () => {
  let small: NatsCluster;
  let server: NatsCluster;
  let gateway: Gateway | undefined;
  let client: NatsConnection | undefined;

  beforeAll(async () => {
    [small, server] = await Promise.all([startNats(1, ['max_payload: 4096']), startNats(1)]);
  }, 30_000);
  afterEach(async () => {
    await gateway?.stop();
    await client?.close();
    gateway = undefined;
    client = undefined;
  });
  afterAll(async () => {
    await Promise.all([small?.close(), server?.close()]);
  });

  it('publishes every frame with its headers into a memory stream keeping the last 30, and its status once a second', async () => {
    client = await connect({ servers: server.nodes[0]!.hostPort });
    const got: Msg[] = [];
    client.subscribe('camgw.home.door.frames', {
      callback: (_err, msg) => {
        got.push(msg);
      },
    });
    gateway = createGateway({
      cameras: [{ name: 'door', demo: true }],
      port: 0,
      site: 'home',
      publish: { url: server.url(), keep: { frames: 30 } },
    });
    await gateway.start();
    await until('40 frames on the bus', () => got.length >= 40, 10_000);
    const metas = got.map((m) => readFrameHeaders(m.headers)!);
    for (let i = 1; i < metas.length; i++) expect(metas[i]!.index).toBeGreaterThan(metas[i - 1]!.index);
    expect(metas[0]).toMatchObject({ width: 320, height: 240 });
    // The bytes are the ring's.
    const last = got.at(-1)!;
    const entry = gateway.cameras[0]!.ring.get(readFrameHeaders(last.headers)!.index);
    expect(Buffer.from(last.data).equals(entry.frame)).toBe(true);
    expect(readFrameHeaders(last.headers)!.timestamp).toBe(entry.timestamp);

    const jsm = await jetstreamManager(client);
    const info = await jsm.streams.info('CAMGW_home_door');
    expect(info.config).toMatchObject({
      storage: 'memory',
      max_msgs: 30,
      subjects: ['camgw.home.door.frames'],
    });
    expect(info.state.messages).toBe(30);

    const kv = await new Kvm(client).open('camgw-home');
    const watch = await kv.watch({ key: 'door' });
    const updates: number[] = [];
    const t0 = performance.now();
    for await (const e of watch) {
      updates.push(performance.now());
      expect(JSON.parse(e.string())).toMatchObject({ status: { name: 'door', online: true } });
      if (performance.now() - t0 > 3000) break;
    }
    watch.stop();
    // The first entry is the current value; then one a second.
    expect(updates.length).toBeGreaterThanOrEqual(3);
    expect(updates.length).toBeLessThanOrEqual(5);
  }, 30_000);

  it('a frame over max_payload is not published, is counted and is logged once with the setting to raise', async () => {
    const lines: string[] = [];
    client = await connect({ servers: small.nodes[0]!.hostPort });
    let seen = 0;
    client.subscribe('camgw.default.cam0.frames', {
      callback: () => {
        seen++;
      },
    });
    gateway = createGateway({
      cameras: [{ demo: true }],
      port: 0,
      publish: { url: small.url() },
      logger: createLogger({ level: 'warn', write: (l) => lines.push(l) }),
    });
    await gateway.start();
    await until('10 frames refused', () => gateway!.bus!.counters('cam0')!.tooLarge >= 10, 10_000);
    expect(gateway.bus!.counters('cam0')!.published).toBe(0);
    await client.flush();
    expect(seen).toBe(0);
    const told = lines.filter((l) => /max_payload/.test(l));
    expect(told).toHaveLength(1);
    expect(told[0]).toMatch(
      /over the NATS server's max_payload \(4096 bytes\).*raise it in nats-server\.conf, e\.g\. "max_payload: 8MB"/,
    );
    // Meanwhile the camera is served locally as ever.
    expect((await fetch(`${gateway.url}/snapshot`)).status).toBe(200);
  }, 30_000);

  it('losing the server never disturbs the local stream; publishing resumes by itself when it is back', async () => {
    client = await connect({
      servers: server.nodes[0]!.hostPort,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 100,
    });
    let seen = 0;
    client.subscribe('camgw.default.cam0.frames', {
      callback: () => {
        seen++;
      },
    });
    gateway = createGateway({ cameras: [{ demo: true }], port: 0, publish: { url: server.url() } });
    await gateway.start();
    await until('frames on the bus', () => seen >= 5, 10_000);
    const stream = await watchStream(`${gateway.url}/stream`);
    await stream.waitForPart('a frame', isFrame);
    const longestGap = (from: number): number => {
      const parts = stream.parts.filter((p) => isFrame(p) && p.at > from).slice(0, 31);
      let gap = 0;
      for (let i = 1; i < parts.length; i++) gap = Math.max(gap, parts[i]!.at - parts[i - 1]!.at);
      return gap;
    };
    // The same number of local frames with the bus up, as the measure of this machine right now.
    const upAt = performance.now();
    await until(
      '30 local frames with the bus up',
      () => stream.parts.filter((p) => isFrame(p) && p.at > upAt).length >= 31,
      5000,
    );
    const gapUp = longestGap(upAt);

    await server.nodes[0]!.kill();
    const downAt = performance.now();
    await until(
      '30 more local frames while the bus is down',
      () => stream.parts.filter((p) => isFrame(p) && p.at > downAt).length >= 31,
      5000,
    );
    const gapDown = longestGap(downAt);
    console.log(
      `local stream: longest gap ${gapUp.toFixed(0)} ms with the bus up, ${gapDown.toFixed(0)} ms with it down`,
    );
    // A stall would show as a gap of a second or more (then the still frame is re-sent): none.
    expect(gapDown, 'local frames keep coming while the bus is down').toBeLessThan(Math.max(500, 2 * gapUp));
    const skipped = gateway.bus!.counters('cam0')!.skipped;
    expect(skipped).toBeGreaterThan(20);

    await server.nodes[0]!.start();
    const published = gateway.bus!.counters('cam0')!.published;
    const seenBefore = seen;
    await until(
      'publishing to resume',
      () => gateway!.bus!.counters('cam0')!.published > published + 10 && seen > seenBefore + 10,
      10_000,
    );
    // The stream is set up again on the new server (memory streams do not survive a restart).
    const jsm = await jetstreamManager(client);
    await until(
      'the stream back',
      async () => (await jsm.streams.info('CAMGW_default_cam0').catch(() => undefined))?.state.messages,
    );
    stream.close();
  }, 40_000);
});
