import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { libc } from '../../src/platform/libc.js';
import {
  emptyTcpView,
  kernelAtLeast,
  readTcpView,
  setNotSentLowat,
  socketFd,
  tcpUnavailable,
} from '../../src/platform/tcp.js';
import { waitFor } from '../helpers/http.js';

let server: Server | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A loopback connection: the server's side (whose sending we look at) and the client's. */
async function pair(): Promise<{ near: Socket; far: Socket }> {
  const accepted = new Promise<Socket>((resolve) => {
    server = createServer(resolve);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const far = connect((server!.address() as AddressInfo).port, '127.0.0.1');
  const near = await accepted;
  sockets.push(near, far);
  return { near, far };
}

describe('kernelAtLeast', () => {
  it('reads the major and minor of a kernel release', () => {
    expect(kernelAtLeast('6.18.44-fc-v782', 5, 4)).toBe(true);
    expect(kernelAtLeast('5.4.0-150-generic', 5, 4)).toBe(true);
    expect(kernelAtLeast('5.3.18', 5, 4)).toBe(false);
    expect(kernelAtLeast('4.19.0', 5, 4)).toBe(false);
    expect(kernelAtLeast('unknown', 5, 4)).toBe(false);
  });
});

describe.runIf(process.platform === 'linux')('TCP_INFO through libc', () => {
  it('is available here, and finds the descriptor of a TCP socket (not of other streams)', async () => {
    expect(tcpUnavailable()).toBeUndefined();
    const { near } = await pair();
    expect(socketFd(near)).toBeGreaterThan(2);
    expect(socketFd(new PassThrough())).toBeUndefined();
    near.destroy();
    expect(socketFd(near)).toBeUndefined();
  });

  it('counts what the peer acknowledged, and shows its window shrink while it does not read', async () => {
    const { near, far } = await pair();
    const fd = socketFd(near)!;
    const view = emptyTcpView();
    let received = 0;
    far.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    near.write(Buffer.alloc(50_000, 1));
    await waitFor(() => received === 50_000, 'the peer to read 50 kB');
    await waitFor(() => readTcpView(fd, view) && view.acked === 50_000, 'the ACKs');
    expect(view.sent).toBe(50_000);
    expect(view.notSent).toBe(0);
    expect(view.window).toBeGreaterThan(0);
    expect(view.windowUnit).toBeGreaterThanOrEqual(1);
    expect(view.minRttMs).toBeGreaterThanOrEqual(0);
    const open = view.window;

    // The peer stops reading: what we send fills its buffer, the window closes, the rest waits unsent.
    far.pause();
    for (let i = 0; i < 100; i++) near.write(Buffer.alloc(64 * 1024, 2));
    await waitFor(
      () => readTcpView(fd, view) && view.window < open / 2 && view.notSent > 0,
      'a closing window',
    );
    expect(view.sent).toBeGreaterThan(50_000);
    expect(view.acked).toBeLessThanOrEqual(view.sent);
  });

  it('sets TCP_NOTSENT_LOWAT', async () => {
    const { near } = await pair();
    const fd = socketFd(near)!;
    expect(setNotSentLowat(fd, 1)).toBe(true);
    const value = Buffer.alloc(4);
    const length = Buffer.alloc(4);
    length.writeUInt32LE(4, 0);
    expect(libc()!.getsockopt(fd, 6, 25 /* TCP_NOTSENT_LOWAT */, value, length)).toBe(0);
    expect(value.readInt32LE(0)).toBe(1);
  });
});
