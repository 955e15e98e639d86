/**
 * The connection cap over real sockets: past `maxConnections` a client gets a 503 JSON it can
 * read (not a reset), the log says so once, a freed slot serves again, and a flood of idle
 * connections costs a bounded number of sockets.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type GatewayApp } from '../../src/http/app.js';
import { chooseCap, defaultMaxClients, MAX_DEFAULT_CLIENTS } from '../../src/http/connection-cap.js';
import { listen, type RunningServer } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import { until } from '../helpers/cli.js';
import { FakeCamera, fixtureFrames } from '../helpers/fake-camera.js';
import { httpRequest, StreamClient } from '../helpers/http.js';

const frames = fixtureFrames();
let cleanup: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function serveCapped(max: number): Promise<{ server: RunningServer; gw: GatewayApp; log: string[] }> {
  const cam = new FakeCamera('cam0');
  cam.push(frames[0]!);
  const gw = createApp({ cameras: [cam], version: '1', stillResendMs: 50 });
  const log: string[] = [];
  const server = await listen(gw.app, {
    host: '127.0.0.1',
    port: 0,
    maxConnections: max,
    logger: createLogger({ level: 'warn', write: (line) => log.push(line) }),
  });
  cleanup.push(async () => {
    gw.close();
    await server.close();
  });
  return { server, gw, log };
}

function openConnections(server: RunningServer): Promise<number> {
  return new Promise((resolve, reject) =>
    server.server.getConnections((err, n) => (err ? reject(err) : resolve(n))),
  );
}

describe('connection cap', () => {
  it('beyond the cap: 503 JSON with Retry-After and Connection: close, logged once; a freed slot serves again', async () => {
    const { server, log } = await serveCapped(3);
    const streams: StreamClient[] = [];
    for (let i = 0; i < 3; i++) {
      const s = await StreamClient.open(server.url, '/stream');
      cleanup.push(() => s.destroy());
      await s.waitForParts(1);
      streams.push(s);
    }
    for (const path of ['/status', '/snapshot', '/stream', '/control?var=quality&val=10']) {
      const res = await httpRequest(server.url, path);
      expect(res.status, path).toBe(503);
      expect(res.headers.connection).toBe('close');
      expect(res.headers['retry-after']).toBe('5');
      expect(res.json?.error).toBe(
        'too many open connections: this gateway serves at most 3 at a time (--max-clients); try again later',
      );
    }
    expect(log).toEqual([
      'warn: 3 connections open, the most allowed (--max-clients): answering new ones 503',
    ]);
    // The admitted streams were not disturbed: each still gets frames.
    for (const s of streams) expect(s.closed).toBe(false);

    streams[0]!.destroy();
    await streams[0]!.ended();
    // The server sees the close a moment after the client: poll until a request is served.
    await until('a request served after a slot was freed', async () => {
      return (await httpRequest(server.url, '/status')).status === 200;
    });
    expect(log).toHaveLength(1);
  });

  it('a flood of idle connections past the cap holds a bounded number of sockets, each closed soon', async () => {
    const { server } = await serveCapped(2);
    const held: StreamClient[] = [];
    for (let i = 0; i < 2; i++) {
      const s = await StreamClient.open(server.url, '/stream');
      cleanup.push(() => s.destroy());
      held.push(s);
    }
    const flood: Socket[] = [];
    const closed: Promise<void>[] = [];
    for (let i = 0; i < 60; i++) {
      const socket = connect(server.port, '127.0.0.1');
      socket.on('error', () => {});
      closed.push(new Promise((resolve) => socket.once('close', () => resolve())));
      flood.push(socket);
    }
    cleanup.push(() => {
      for (const s of flood) s.destroy();
    });
    let peak = 0;
    let done = false;
    void Promise.all(closed).then(() => {
      done = true;
    });
    await until('the server to close every flood socket', async () => {
      peak = Math.max(peak, await openConnections(server));
      return done;
    });
    // 2 admitted + at most 8 refused ones waiting for a request; every flood socket was closed by the server.
    expect(peak).toBeLessThanOrEqual(2 + 8);
    expect(await openConnections(server)).toBe(2);
    for (const s of held) expect(s.closed).toBe(false);
  });
});

describe('defaultMaxClients', () => {
  it('is the open-file limit less what the process keeps (64, or half a small limit), at most 4096', () => {
    expect(defaultMaxClients(64)).toBe(32);
    expect(defaultMaxClients(100)).toBe(50);
    expect(defaultMaxClients(1024)).toBe(960);
    expect(defaultMaxClients(20_000)).toBe(MAX_DEFAULT_CLIENTS);
    expect(defaultMaxClients(Number.POSITIVE_INFINITY)).toBe(MAX_DEFAULT_CLIENTS);
    expect(defaultMaxClients(1)).toBe(1);
    expect(defaultMaxClients()).toBe(960); // limit unknown: Linux's usual 1024
  });
});

describe('chooseCap', () => {
  it('notes the cap at debug, the unknown limit at info, and warns when --max-clients leaves too few descriptors', () => {
    expect(chooseCap(undefined, 1024)).toEqual({
      max: 960,
      note: { level: 'debug', message: 'serving at most 960 connections at a time (open-file limit 1024)' },
    });
    expect(chooseCap(100, 1024).note.level).toBe('debug');
    expect(chooseCap(undefined, undefined, 'not on Linux (darwin)')).toEqual({
      max: 960,
      note: {
        level: 'info',
        message: 'open-file limit unknown (not on Linux (darwin)): serving at most 960 connections at a time',
      },
    });
    expect(chooseCap(1000, 64)).toEqual({
      max: 1000,
      note: {
        level: 'warn',
        message:
          '--max-clients 1000 is more than the open-file limit (64) leaves for connections (32): past that, new connections are reset instead of answered 503',
      },
    });
  });
});
