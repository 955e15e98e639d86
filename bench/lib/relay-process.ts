/** Starts `relay-child.ts` in its own process and talks to it over IPC (ready, CPU marks, stop). */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { childMessage, delay } from './harness.js';
import type { RelayReply, RelayRequest } from './relay-child.js';

export class RelayProcess {
  private constructor(
    readonly port: number,
    readonly child: ChildProcess,
  ) {}

  /** A relay on the bus at `natsUrl`, resolved once it serves the benchmark's camera. */
  static async start(natsUrl: string): Promise<RelayProcess> {
    const child = fork(fileURLToPath(new URL('./relay-child.ts', import.meta.url)), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, BENCH_NATS: natsUrl },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = await reply(child, 'ready');
    return new RelayProcess(ready.port, child);
  }

  async mark(): Promise<Extract<RelayReply, { cmd: 'mark' }>> {
    this.child.send({ cmd: 'mark' } satisfies RelayRequest);
    return reply(this.child, 'mark');
  }

  async stop(): Promise<void> {
    if (!this.child.connected) return;
    this.child.send({ cmd: 'stop' } satisfies RelayRequest);
    await Promise.race([reply(this.child, 'stopped').catch(() => undefined), delay(3000)]);
    if (this.child.exitCode === null) this.child.kill();
  }
}

function reply<K extends RelayReply['cmd']>(
  child: ChildProcess,
  cmd: K,
): Promise<Extract<RelayReply, { cmd: K }>> {
  return childMessage(child, cmd, 'bench relay');
}
