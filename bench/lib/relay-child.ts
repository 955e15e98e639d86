/**
 * A relay (`createRelay`, what `cam-gateway --from` runs) in its own process for the relay
 * benchmark, so its CPU is its own and its clients' parsing happens elsewhere. Connects to
 * `BENCH_NATS`, answers `ready` with its port once the camera `bench` has a frame, `mark` with its
 * CPU and viewers, `stop` after a clean stop.
 */
import { createRelay } from '../../src/relay/relay.js';
import { parseNatsUrl } from '../../src/sinks/nats/address.js';
import { waitFor } from './harness.js';

export type RelayRequest = { cmd: 'mark' } | { cmd: 'stop' };
export type RelayReply =
  | { cmd: 'ready'; port: number }
  | { cmd: 'mark'; cpu: NodeJS.CpuUsage; clients: number }
  | { cmd: 'stopped' };

function send(reply: RelayReply): void {
  process.send?.(reply);
}

async function main(): Promise<void> {
  const relay = createRelay({
    address: parseNatsUrl(process.env.BENCH_NATS ?? ''),
    site: 'default',
    ringSize: 10,
    host: '127.0.0.1',
    port: 0,
    version: 'bench',
  });
  await relay.start();
  const camera = () => relay.cameras.find((c) => c.name === 'bench');
  await waitFor(() => camera()?.ring.latest() !== undefined, 20_000, 'the relay to receive a frame');
  process.on('message', async (msg: RelayRequest) => {
    if (msg.cmd === 'mark') {
      send({ cmd: 'mark', cpu: process.cpuUsage(), clients: camera()?.status().clients.length ?? 0 });
    } else {
      await relay.stop();
      send({ cmd: 'stopped' });
      process.disconnect();
    }
  });
  send({ cmd: 'ready', port: Number(new URL(relay.url).port) });
}

main().catch((err: unknown) => {
  console.error('bench relay failed:', err);
  process.exit(1);
});
