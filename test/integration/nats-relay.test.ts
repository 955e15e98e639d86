/**
 * Many machines, for real: a 3-node `nats-server` JetStream cluster on loopback, an origin
 * gateway (`--demo --publish`, the CLI) publishing through node 1, a second origin on a socat
 * pty with the C firmware at the other end publishing through node 3, and two relays
 * (`--from`, the CLI) on node 1 and node 2. Strict MJPEG clients on the origin and on both
 * relays: the relays serve byte-identical frames, in the origin's order, equal to what the
 * origin serves (matched by the origin's `X-Timestamp`, which relays keep). Then node 1 — the
 * one the origin and relay A are connected to — is killed mid-stream: both fail over, the
 * streams go on after a gap of at most 3 s, with no corrupt, repeated or out-of-order frame.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NO_SIGNAL_JPEG } from '../../src/stream/no-signal.js';
import { REPO_DIR } from '../firmware/c-build.js';
import { type NatsCluster, startNats } from '../helpers/brokers.js';
import { type CamfDevice, camfDeviceOnPty } from '../helpers/camf-device.js';
import {
  type CliRun,
  freePort,
  type ReceivedPart,
  type StreamWatch,
  startCli,
  until,
  watchStream,
} from '../helpers/cli.js';
import { parsePrometheus, sample } from '../helpers/prometheus.js';
import { describeWithTools } from '../helpers/tools.js';

const JPEG = join(REPO_DIR, 'fixtures', 'jpeg', 'qvga-001.jpg');

const isFrame = (p: ReceivedPart): boolean =>
  p.headers['x-frame-index'] !== undefined && !p.body.equals(NO_SIGNAL_JPEG);

/** New frames (a re-sent still frame repeats its timestamp and is not new), in arrival order. */
function newFrames(parts: readonly ReceivedPart[]): ReceivedPart[] {
  const out: ReceivedPart[] = [];
  for (const p of parts.filter(isFrame)) {
    if (out.at(-1)?.headers['x-timestamp'] !== p.headers['x-timestamp']) out.push(p);
  }
  return out;
}

async function startGateway(args: string[]): Promise<{ cli: CliRun; url: string }> {
  const port = await freePort();
  const cli = startCli([...args, '--listen', `127.0.0.1:${port}`, '--log-level', 'debug'], {}, 'node');
  await cli.waitFor(/open (http:\/\/\S+?)\/?(\s|;|$)/);
  return { cli, url: `http://127.0.0.1:${port}` };
}

async function cameraOnRelay(url: string): Promise<void> {
  await until(
    `the relay ${url} to serve cam0's frames`,
    async () => {
      const res = await fetch(`${url}/cams/cam0/snapshot`).catch(() => undefined);
      return res?.status === 200;
    },
    15_000,
    100,
  );
}

describeWithTools(['nats-server', 'gcc', 'socat'], 'origins → 3-node NATS cluster → two relays', () => {
  let cluster: NatsCluster;
  let device: CamfDevice;
  const runs: CliRun[] = [];
  let origin: string;
  let relayA: string;
  let relayB: string;

  beforeAll(async () => {
    cluster = await startNats(3);
    const [n1, n2] = cluster.nodes;
    const o = await startGateway(['--demo', '--publish', cluster.url([n1!])]);
    const a = await startGateway(['--from', cluster.url([n1!])]);
    const b = await startGateway(['--from', cluster.url([n2!])]);
    // A second origin, on a real pty with the C firmware at the other end, publishing through node 3.
    device = await camfDeviceOnPty(['--interval-ms', '50'], JPEG);
    const pty = await startGateway([
      '--port',
      `bench=${device.dev}`,
      '--protocol',
      'camf',
      '--publish',
      cluster.url([cluster.nodes[2]!]),
    ]);
    runs.push(o.cli, a.cli, b.cli, pty.cli);
    origin = o.url;
    relayA = a.url;
    relayB = b.url;
    await Promise.all([cameraOnRelay(relayA), cameraOnRelay(relayB)]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(runs.map((r) => r.stop()));
    await device?.close();
    await cluster?.close();
  });

  it('relays serve the origin frames byte-identical and in order, and go on after a node dies (gap ≤ 3 s)', async () => {
    const watches: StreamWatch[] = await Promise.all(
      [origin, relayA, relayB].map((u) => watchStream(`${u}/stream`)),
    );
    const [o, a, b] = watches as [StreamWatch, StreamWatch, StreamWatch];
    for (const w of watches) expect(w.status).toBe(200);
    await until(
      '40 frames on each relay',
      () => newFrames(a.parts).length >= 40 && newFrames(b.parts).length >= 40,
      15_000,
    );

    // Kill the node the origin and relay A are on.
    const killedAt = performance.now();
    await cluster.nodes[0]!.kill();
    const countAtKill = [a, b].map((w) => newFrames(w.parts).length);
    await until(
      '40 more frames on each relay after the node died',
      () =>
        newFrames(a.parts).length >= countAtKill[0]! + 40 &&
        newFrames(b.parts).length >= countAtKill[1]! + 40,
      20_000,
    );
    for (const w of watches) {
      await w.waitForPart('a part (parse check)', () => true); // rethrows any strict-parse failure
      w.close();
    }

    const byStamp = new Map(newFrames(o.parts).map((p) => [p.headers['x-timestamp']!, p.body]));
    for (const [name, w] of [
      ['relay A', a],
      ['relay B', b],
    ] as const) {
      const frames = newFrames(w.parts);
      const stamps = frames.map((p) => Number(p.headers['x-timestamp']));
      // In order, none repeated: the origin's timestamps strictly increase.
      for (let i = 1; i < stamps.length; i++)
        expect(stamps[i], `${name} frame ${i}`).toBeGreaterThan(stamps[i - 1]!);
      // Byte-identical to the origin's frame of the same timestamp (the origin's client may have skipped some).
      let matched = 0;
      for (const p of frames) {
        const mine = byStamp.get(p.headers['x-timestamp']!);
        if (!mine) continue;
        expect(
          p.body.equals(mine),
          `${name}: frame ${p.headers['x-timestamp']} differs from the origin's`,
        ).toBe(true);
        matched++;
      }
      expect(matched, `${name}: frames also seen on the origin`).toBeGreaterThan(frames.length * 0.5);
      for (const p of frames)
        expect([p.body[0], p.body[1], p.body.at(-2), p.body.at(-1)]).toEqual([0xff, 0xd8, 0xff, 0xd9]);
      // No NO SIGNAL card once the picture was there: a relay failing over keeps the last frame.
      const first = w.parts.findIndex(isFrame);
      expect(
        w.parts.slice(first).some((p) => p.body.equals(NO_SIGNAL_JPEG)),
        `${name} showed NO SIGNAL`,
      ).toBe(false);
      // The longest wait for a new frame around the node's death.
      let gap = 0;
      for (let i = 1; i < frames.length; i++) {
        if (frames[i]!.at < killedAt) continue;
        gap = Math.max(gap, frames[i]!.at - Math.max(frames[i - 1]!.at, killedAt));
      }
      console.log(
        `${name}: ${frames.length} frames, ${matched} matched on the origin; longest gap after the kill ${gap.toFixed(0)} ms`,
      );
      expect(gap).toBeLessThanOrEqual(3000);
    }
    // Both relays served the same bytes for the same frame.
    const bByStamp = new Map(newFrames(b.parts).map((p) => [p.headers['x-timestamp']!, p.body]));
    let common = 0;
    for (const p of newFrames(a.parts)) {
      const other = bByStamp.get(p.headers['x-timestamp']!);
      if (!other) continue;
      expect(p.body.equals(other)).toBe(true);
      common++;
    }
    expect(common).toBeGreaterThan(40);
    // The origin and relay A really were on the node that died, and moved on by themselves.
    await until('the origin and relay A to log their reconnect', () =>
      [runs[0]!, runs[1]!].every((r) =>
        /lost 127\.0\.0\.1:\d+; reconnecting[\s\S]*reconnected to /.test(r.stderr),
      ),
    );
  }, 90_000);

  it('/control sent to one relay reaches the device on the other origin’s pty; its frame reaches both relays', async () => {
    await until(
      'relay B to list the pty camera',
      async () => {
        const s = (await (await fetch(`${relayB}/status`)).json()) as {
          cameras: { name: string; controls: unknown[] }[];
        };
        return s.cameras.find((c) => c.name === 'bench')?.controls.length;
      },
      15_000,
      100,
    );
    const reply = await fetch(`${relayB}/cams/bench/control?var=snapshot`);
    expect({ status: reply.status, body: await reply.json() }).toEqual({
      status: 200,
      body: { ok: true, reply: 'ok snapshot' },
    });
    const jpeg = readFileSync(JPEG);
    for (const relay of [relayA, relayB]) {
      const img = await until(`the device's frame on ${relay}`, async () => {
        const res = await fetch(`${relay}/cams/bench/snapshot`);
        return res.status === 200 ? Buffer.from(await res.arrayBuffer()) : undefined;
      });
      expect(img!.equals(jpeg)).toBe(true);
    }
    const refused = await fetch(`${relayA}/cams/bench/control?var=zoom&val=2`);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({
      parameter: 'var',
      supported: expect.arrayContaining(['framesize']),
    });
  }, 30_000);

  it('/status on a relay lists the camera with the origin and its bus counters, and counts its own viewers', async () => {
    const status = (await (await fetch(`${relayB}/status`)).json()) as {
      cameras: {
        name: string;
        online: boolean;
        port: string;
        relay: { origin: { host: string } | null; bus: { published: number } | null };
      }[];
    };
    const cam = status.cameras.find((c) => c.name === 'cam0')!;
    expect(cam.online).toBe(true);
    expect(cam.port).toBe('demo');
    expect(cam.relay.origin?.host).toBeTruthy();
    expect(cam.relay.bus?.published).toBeGreaterThan(0);
  });

  it('/metrics on a relay: every camera on the bus with the origin counters, Prometheus text', async () => {
    const res = await fetch(`${relayA}/metrics`);
    expect(res.status).toBe(200);
    const families = parsePrometheus(await res.text());
    expect(sample(families, 'cam_gateway_online', { camera: 'cam0' })).toBe(1);
    expect(sample(families, 'cam_gateway_frames_received_total', { camera: 'cam0' })).toBeGreaterThan(0);
    expect(families.find((f) => f.name === 'cam_gateway_client_frame_age_seconds')?.type).toBe('HISTOGRAM');
  });
});
