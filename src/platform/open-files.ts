/**
 * The process's open-file limit (`RLIMIT_NOFILE`), read through libc. Every HTTP connection,
 * serial port and file holds one descriptor; at the limit the kernel refuses new ones and
 * Node's accept path resets every new connection without a word, so the connection cap is
 * derived from it. There is nothing to raise: Node itself sets the soft limit to the hard one
 * when it starts (node.cc, `PlatformInit`), before any of our code runs. Without libc (koffi
 * missing, not Linux) the limit is unknown and the caller says so.
 */
import { libc } from './libc.js';

/** `RLIMIT_NOFILE` on Linux (x86, Arm, RISC-V, PowerPC, s390). */
const RLIMIT_NOFILE = 7;

export interface OpenFileLimit {
  /** The limit in force. */
  readonly soft: number;
  /** How far the process may raise it; `Infinity` for unlimited. */
  readonly hard: number;
}

/** One `rlim_t` (unsigned long: 8 bytes on 64-bit Linux, 4 on 32-bit Arm) of a `struct rlimit`. */
function readRlim(buf: Buffer, index: number): number {
  if (buf.length === 16) {
    const v = buf.readBigUInt64LE(index * 8);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.POSITIVE_INFINITY : Number(v);
  }
  const v = buf.readUInt32LE(index * 4);
  return v === 0xffff_ffff ? Number.POSITIVE_INFINITY : v;
}

/** The current limits, or null without libc (see `libcUnavailable()`). */
export function openFileLimit(): OpenFileLimit | null {
  const c = libc();
  if (!c) return null;
  const buf = Buffer.alloc(2 * c.koffi.sizeof('unsigned long'));
  if (c.getrlimit(RLIMIT_NOFILE, buf) !== 0) return null;
  return { soft: readRlim(buf, 0), hard: readRlim(buf, 1) };
}
