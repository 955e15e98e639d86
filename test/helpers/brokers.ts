/**
 * Real message brokers for the integration tests, started by the tests on free
 * loopback ports and stopped by them: Debian's `nats-server` (one server, or a
 * 3-node JetStream cluster whose nodes can be killed and restarted) and
 * `mosquitto`. Nothing relies on a system service.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { freePort, until } from './cli.js';

export interface NatsNode {
  readonly name: string;
  readonly port: number;
  /** `127.0.0.1:port`. */
  readonly hostPort: string;
  readonly running: boolean;
  /** SIGKILL (a crash) and wait for the exit. */
  kill(): Promise<void>;
  /** Start it again on the same ports and store. */
  start(): Promise<void>;
}

export interface NatsCluster {
  readonly nodes: readonly NatsNode[];
  /** `nats://a,b,c` of the running nodes (or of `nodes` given). */
  url(nodes?: readonly NatsNode[]): string;
  /** Kill every node, remove their stores. */
  close(): Promise<void>;
}

async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  await until(
    `a listener on 127.0.0.1:${port}`,
    () =>
      new Promise<boolean>((resolve) => {
        const socket = tcpConnect(port, '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      }),
    timeoutMs,
    50,
  );
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

interface NodeSpec {
  name: string;
  port: number;
  args: string[];
}

function natsNode(spec: NodeSpec, log: string[]): NatsNode {
  let child: ChildProcess | undefined;
  const node: NatsNode = {
    name: spec.name,
    port: spec.port,
    hostPort: `127.0.0.1:${spec.port}`,
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    async kill() {
      if (!child || !node.running) return;
      const done = exited(child);
      child.kill('SIGKILL');
      await done;
    },
    async start() {
      child = spawn('nats-server', spec.args, { stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr!.setEncoding('utf8').on('data', (s: string) => {
        if (log.length < 2000) log.push(`${spec.name}: ${s}`);
      });
      await waitForPort(spec.port);
    },
  };
  return node;
}

/** Wait until JetStream answers through `servers` (a cluster elects its meta leader first). */
async function jetStreamReady(servers: string[], timeoutMs = 20_000): Promise<void> {
  await until(
    'JetStream to answer',
    async () => {
      const nc = await connect({ servers, timeout: 1000 }).catch(() => undefined);
      if (!nc) return false;
      try {
        const jsm = await jetstreamManager(nc, { timeout: 1000 });
        await jsm.getAccountInfo();
        return true;
      } catch {
        return false;
      } finally {
        await nc.close();
      }
    },
    timeoutMs,
    200,
  );
}

/**
 * `size` JetStream nodes clustered over loopback (one node: no cluster). `extraConfig` lines go
 * into each node's config file (e.g. `max_payload: 4096`).
 */
export async function startNats(size = 1, extraConfig: readonly string[] = []): Promise<NatsCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'cam-nats-'));
  const clientPorts: number[] = [];
  const routePorts: number[] = [];
  for (let i = 0; i < size; i++) {
    clientPorts.push(await freePort());
    routePorts.push(await freePort());
  }
  const log: string[] = [];
  const nodes = clientPorts.map((port, i) => {
    const name = `n${i + 1}`;
    const conf = join(dir, `${name}.conf`);
    writeFileSync(conf, `${extraConfig.join('\n')}\n`);
    const args = [
      '-c',
      conf,
      '-n',
      name,
      '-a',
      '127.0.0.1',
      '-p',
      String(port),
      '-js',
      '-sd',
      join(dir, name),
    ];
    if (size > 1) {
      const routes = routePorts.filter((_, j) => j !== i).map((p) => `nats://127.0.0.1:${p}`);
      args.push(
        '--cluster_name',
        'camgw-test',
        '--cluster',
        `nats://127.0.0.1:${routePorts[i]}`,
        '--routes',
        routes.join(','),
      );
    }
    return natsNode({ name, port, args }, log);
  });
  try {
    await Promise.all(nodes.map((n) => n.start()));
    await jetStreamReady(nodes.map((n) => n.hostPort));
  } catch (err) {
    await Promise.all(nodes.map((n) => n.kill()));
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(err as Error).message}\n${log.join('')}`);
  }
  return {
    nodes,
    url: (some = nodes.filter((n) => n.running)) => `nats://${some.map((n) => n.hostPort).join(',')}`,
    async close() {
      await Promise.all(nodes.map((n) => n.kill()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Mosquitto {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/** `mosquitto` on a free loopback port, anonymous, in memory. */
export async function startMosquitto(): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'cam-mqtt-'));
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\n`,
  );
  const child = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'ignore'] });
  await waitForPort(port);
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    async close() {
      const done = exited(child);
      child.kill('SIGTERM');
      await done;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
