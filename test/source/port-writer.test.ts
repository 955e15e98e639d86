/**
 * PortWriter on a real pty whose device end never reads (socat copies a FIFO into it one way):
 * writes go through until the kernel's buffers are full, more are refused at once beyond the
 * queue's bound, a write not done in time fails and what waited is discarded, and the port
 * takes writes again after that. Nothing here ever blocks the event loop or a read.
 */
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { libc } from '../../src/platform/libc.js';
import { PortWriter, type WritablePort } from '../../src/source/port-writer.js';
import { SourceError } from '../../src/source/types.js';
import { openDeafPty } from '../helpers/pty.js';
import { describeWithTools } from '../helpers/tools.js';

describeWithTools(['socat', 'mkfifo'], 'PortWriter on a pty whose device end never reads', () => {
  let dir: string;
  let pty: Awaited<ReturnType<typeof openDeafPty>>;
  let port: WritablePort;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cam-port-writer-'));
    pty = await openDeafPty(dir);
    // What the binding opens: the tty, non-blocking.
    const fd = openSync(pty.dev, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
    port = {
      isOpen: true,
      fd,
      write: () => Promise.reject(new Error('a descriptor is written directly')),
      flush: () => Promise.resolve(),
    };
  });
  afterAll(async () => {
    if (typeof port?.fd === 'number') closeSync(port.fd);
    await pty?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fills the kernel buffer, refuses past its bound at once, times out, discards, then writes again', async () => {
    const writer = new PortWriter(pty.dev, { maxQueuedBytes: 4096, timeoutMs: 400 });
    writer.attach(port);
    const chunk = Buffer.alloc(1024, 0x42);
    // Until the device's side is full, each write is done at once.
    let written = 0;
    let stuck: Promise<void> | undefined;
    while (!stuck) {
      const w = writer.write(chunk);
      const done = await Promise.race([
        w.then(() => true),
        new Promise<false>((r) => setTimeout(() => r(false), 100)),
      ]);
      if (done) written += chunk.length;
      else stuck = w;
      expect(written, 'a pty holds no more than a few hundred kB').toBeLessThan(1 << 20);
    }
    expect(written).toBeGreaterThan(4096);
    // Behind the stuck write, the queue takes up to its bound; then a write is refused at once.
    const queued = [writer.write(chunk), writer.write(chunk), writer.write(chunk)];
    const t0 = performance.now();
    await expect(writer.write(chunk)).rejects.toMatchObject({ code: 'FULL' });
    expect(performance.now() - t0).toBeLessThan(50);
    expect(writer.queuedBytes).toBe(4096);
    // The stuck write fails within its deadline, and so does everything waiting behind it.
    for (const w of [stuck, ...queued]) {
      const err = await w.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SourceError);
      expect(err).toMatchObject({
        code: 'TIMEOUT',
        message: expect.stringMatching(/did not read its input/),
      });
    }
    expect(writer.queuedBytes).toBe(0);
    expect(writer.discardedBytes).toBe(4096);
    // The unsent output was discarded (tcflush): there is room again.
    if (libc()) await expect(writer.write(chunk)).resolves.toBeUndefined();
  });

  it('fails what waits when the port closes, and refuses writes while it is closed', async () => {
    const writer = new PortWriter(pty.dev, { timeoutMs: 5000 });
    writer.attach(port);
    let w: Promise<void>;
    do w = writer.write(Buffer.alloc(512));
    while (
      await Promise.race([w.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 100))])
    );
    writer.detach('port closed (test)');
    await expect(w).rejects.toMatchObject({ code: 'OFFLINE', message: 'port closed (test)' });
    await expect(writer.write(Buffer.from('x'))).rejects.toMatchObject({ code: 'OFFLINE' });
  });
});
