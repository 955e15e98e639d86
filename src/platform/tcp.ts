/**
 * What Linux tells about a TCP connection's sending side that Node does not expose: the
 * `TCP_INFO` fields the stream pacing needs (bytes the peer acknowledged, its advertised
 * window, bytes not sent yet, the last ACK's age, the minimum RTT) and `TCP_NOTSENT_LOWAT`,
 * through libc (`libc.ts`). Optional like libc: `tcpUnavailable()` says why it cannot be used
 * (not Linux, koffi or libc missing, a kernel whose `TCP_INFO` has no `tcpi_snd_wnd`).
 */
import { release } from 'node:os';
import { libc, libcUnavailable } from './libc.js';

const IPPROTO_TCP = 6;
const TCP_INFO = 11;
const TCP_NOTSENT_LOWAT = 25;

/** Byte offsets in `struct tcp_info` (linux/tcp.h); `tcpi_snd_wnd` (Linux 5.4+) ends at 232. */
const OFFSET = {
  sndWscale: 6,
  lastAckRecv: 56,
  bytesAcked: 120,
  bytesSent: 200,
  bytesRetrans: 208,
  notsentBytes: 144,
  minRtt: 148,
  sndWnd: 228,
} as const;
const NEEDED_BYTES = 232;
const INFO_BYTES = 256;

/** One look at a connection's sending side. */
export interface TcpView {
  /** Bytes of the stream the peer has acknowledged (`tcpi_bytes_acked`). */
  acked: number;
  /** Bytes sent at least once (`tcpi_bytes_sent` − `tcpi_bytes_retrans`). */
  sent: number;
  /** The peer's advertised receive window, bytes (`tcpi_snd_wnd`). */
  window: number;
  /** Bytes written to the socket and not sent yet (`tcpi_notsent_bytes`). */
  notSent: number;
  /** Milliseconds since the last ACK arrived (`tcpi_last_ack_recv`, jiffies resolution). */
  sinceAckMs: number;
  /** Smallest round-trip time seen, ms (`tcpi_min_rtt`). */
  minRttMs: number;
  /** The window's granularity, bytes (`1 << tcpi_snd_wscale`). */
  windowUnit: number;
}

/** A `TcpView` to fill in (one per reader, reused). */
export function emptyTcpView(): TcpView {
  return { acked: 0, sent: 0, window: 0, notSent: 0, sinceAckMs: 0, minRttMs: 0, windowUnit: 1 };
}

let failure: string | undefined;
let checked = false;
const info = Buffer.alloc(INFO_BYTES);
const infoLength = Buffer.alloc(4);
const intValue = Buffer.alloc(4);

/** Why TCP_INFO pacing cannot be used here (one line), or undefined when it can. */
export function tcpUnavailable(): string | undefined {
  if (failure !== undefined) return failure;
  if (libc() === null) failure = libcUnavailable() ?? 'libc is not available';
  else if (!kernelAtLeast(release(), 5, 4))
    failure = `Linux ${release()} has no tcpi_snd_wnd in TCP_INFO (5.4+)`;
  return failure;
}

/** Is a kernel release string (`6.18.44-…`) at least `major.minor`? */
export function kernelAtLeast(version: string, major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return a > major || (a === major && b >= minor);
}

/** The file descriptor under a Node socket (libuv's `_handle.fd`), or undefined (not a TCP socket, closed). */
export function socketFd(socket: unknown): number | undefined {
  const handle = (socket as { _handle?: { fd?: unknown } } | null | undefined)?._handle;
  const fd = handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/**
 * Fills `out` from the socket's `TCP_INFO`. False when the call fails (socket closed) or the
 * kernel's `tcp_info` is too short; the first such kernel makes `tcpUnavailable()` say so.
 */
export function readTcpView(fd: number, out: TcpView): boolean {
  const c = libc();
  if (c === null || failure !== undefined) return false;
  infoLength.writeUInt32LE(INFO_BYTES, 0);
  if (c.getsockopt(fd, IPPROTO_TCP, TCP_INFO, info, infoLength) !== 0) return false;
  if (!checked) {
    checked = true;
    const got = infoLength.readUInt32LE(0);
    if (got < NEEDED_BYTES) {
      failure = `this kernel's TCP_INFO has ${got} bytes, without tcpi_snd_wnd (Linux 5.4+)`;
      return false;
    }
  }
  out.acked = Number(info.readBigUInt64LE(OFFSET.bytesAcked));
  out.sent = Number(info.readBigUInt64LE(OFFSET.bytesSent) - info.readBigUInt64LE(OFFSET.bytesRetrans));
  out.window = info.readUInt32LE(OFFSET.sndWnd);
  out.notSent = info.readUInt32LE(OFFSET.notsentBytes);
  out.sinceAckMs = info.readUInt32LE(OFFSET.lastAckRecv);
  out.minRttMs = info.readUInt32LE(OFFSET.minRtt) / 1000;
  out.windowUnit = 2 ** ((info[OFFSET.sndWscale] ?? 0) & 0x0f);
  return true;
}

/**
 * `TCP_NOTSENT_LOWAT`: the socket counts as writable (and takes a write) only while fewer than
 * `bytes` are waiting to be sent, so Node's backpressure says "the kernel has not sent the last
 * part yet" instead of "megabytes are queued". False when it could not be set.
 */
export function setNotSentLowat(fd: number, bytes: number): boolean {
  const c = libc();
  if (c === null) return false;
  intValue.writeInt32LE(bytes, 0);
  return c.setsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, intValue, 4) === 0;
}
