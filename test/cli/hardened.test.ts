/**
 * The CLI as a process at its edges: a stop signal while the start hangs on a FIFO nobody
 * writes, and the open-file limit — a default connection cap below it, so a client past the
 * cap gets a 503 instead of a connection reset by the kernel's accept path.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultMaxClients } from '../../src/http/connection-cap.js';
import { openFileLimit } from '../../src/platform/open-files.js';
import { freePort, startCli, until } from '../helpers/cli.js';
import { httpRequest, StreamClient } from '../helpers/http.js';
import { describeWithTools } from '../helpers/tools.js';

/** True once something accepts TCP connections on `port`. */
function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** Soft and hard "Max open files" of a process, as the kernel reports them. */
function limitsOf(pid: number): { soft: string; hard: string } {
  const line = /^Max open files\s+(\S+)\s+(\S+)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'))!;
  return { soft: line[1]!, hard: line[2]! };
}

describeWithTools(['mkfifo'], 'a stop signal while the start hangs', () => {
  let dir: string;
  let fifo: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cam-hang-'));
    fifo = join(dir, 'nobody-reads.fifo');
    execFileSync('mkfifo', [fifo]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`the first ${signal} stops it at once with one line, ending as killed by ${signal}`, async () => {
      const port = await freePort();
      // `--record` opens its file before the port; a FIFO nobody reads makes that open wait forever.
      const run = startCli(
        ['--port', '/dev/null', '--record', fifo, '--listen', `127.0.0.1:${port}`],
        {},
        'node',
      );
      // The gateway binds its port before it opens its cameras: accepting means it waits on the FIFO.
      await until('the gateway to bind its port', () => accepting(port), 10_000);
      expect(run.stderr, 'still starting when signalled').not.toMatch(/open http/);
      const t0 = performance.now();
      run.child.kill(signal);
      const code = await run.exited;
      const ms = performance.now() - t0;
      expect(run.stderr.trim()).toBe(
        `cam-gateway: ${signal} while starting (still opening cam0 on /dev/null @ 921600 baud): stopped`,
      );
      // Killed by the signal itself (a shell shows 128 + n): no exit handler ran to wait for the thread blocked opening the FIFO.
      expect(code).toBeNull();
      expect(run.child.signalCode).toBe(signal);
      expect(ms).toBeLessThan(1500);
    });
  }
});

describeWithTools(['prlimit'], 'the open-file limit', () => {
  it('a low soft limit: Node raises it to the hard one itself, and the default cap follows the raised limit', async () => {
    const hard =
      openFileLimit()?.hard ?? Number(execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }));
    const port = await freePort();
    const run = startCli(['--demo', '--listen', `127.0.0.1:${port}`, '--log-level', 'debug'], {}, 'node', [
      'prlimit',
      `--nofile=64:${hard}`,
    ]);
    try {
      await run.waitFor(/open http:/);
      expect(limitsOf(run.child.pid!)).toEqual({ soft: String(hard), hard: String(hard) });
      expect(run.stderr).toContain(
        `debug: http: serving at most ${defaultMaxClients(hard)} connections at a time (open-file limit ${hard})`,
      );
    } finally {
      await run.stop();
    }
  });

  it('a limit of 64 that cannot be raised: 32 clients are served, the next get 503 JSON, logged once; none is reset', async () => {
    const port = await freePort();
    const run = startCli(['--demo', '--listen', `127.0.0.1:${port}`], {}, 'node', [
      'prlimit',
      '--nofile=64:64',
    ]);
    const streams: StreamClient[] = [];
    try {
      await run.waitFor(/open http:/);
      const url = `http://127.0.0.1:${port}`;
      // fps=0.01: a viewer that holds its connection but costs the machine nothing.
      for (let i = 0; i < 32; i++) {
        const s = await StreamClient.open(url, '/stream?fps=0.01');
        expect(s.status, `stream ${i}`).toBe(200);
        streams.push(s);
      }
      for (let i = 0; i < 8; i++) {
        const res = await httpRequest(url, '/status');
        expect(res.status, `request ${i} past the cap`).toBe(503);
        expect(String(res.json?.error)).toMatch(
          /^too many open connections: this gateway serves at most 32 at a time/,
        );
      }
      const notes = run.stderr.split('\n').filter((l) => l.includes('--max-clients'));
      expect(notes).toEqual([
        'warn: http: 32 connections open, the most allowed (--max-clients): answering new ones 503',
      ]);
      expect(readdirSync(`/proc/${run.child.pid}/fd`).length).toBeLessThan(64);
      for (const s of streams.splice(0, 4)) s.destroy();
      await until('a request served again', async () => (await httpRequest(url, '/status')).status === 200);
    } finally {
      for (const s of streams) s.destroy();
      await run.stop();
    }
  });
  it('--max-clients above what the limit leaves: a warning at start, and past the limit connections are reset (what the default avoids)', async () => {
    const port = await freePort();
    const run = startCli(['--demo', '--listen', `127.0.0.1:${port}`, '--max-clients', '1000'], {}, 'node', [
      'prlimit',
      '--nofile=64:64',
    ]);
    const held: StreamClient[] = [];
    try {
      await run.waitFor(/open http:/);
      expect(run.stderr).toContain(
        'warn: http: --max-clients 1000 is more than the open-file limit (64) leaves for connections (32): past that, new connections are reset instead of answered 503',
      );
      let reset = 0;
      for (let i = 0; i < 60 && reset === 0; i++) {
        try {
          held.push(await StreamClient.open(`http://127.0.0.1:${port}`, '/stream?fps=0.01'));
        } catch {
          reset++;
        }
      }
      expect(reset, 'a connection reset once descriptors ran out').toBe(1);
      expect(held.length).toBeGreaterThan(32);
      expect(held.length).toBeLessThan(64);
    } finally {
      for (const s of held) s.destroy();
      await run.stop();
    }
  });
});
