/**
 * The few libc calls Node does not expose (resource limits, socket options and TCP_INFO, a
 * terminal's output queue),
 * reached through koffi, which ships prebuilt binaries in its npm packages. Optional by
 * design: on another OS, or when koffi or libc cannot be loaded, `libc()` returns null (and
 * says why once) and every caller falls back to what Node alone can do.
 */
import { createRequire } from 'node:module';

type Koffi = typeof import('koffi');

/** The libc functions the gateway uses; integers as the C ABI passes them. */
export interface Libc {
  readonly koffi: Koffi;
  /** `int getrlimit(int resource, struct rlimit *rlim)` with a 2 × u64 buffer. */
  getrlimit(resource: number, rlim: Buffer): number;
  /** `int setrlimit(int resource, const struct rlimit *rlim)`. */
  setrlimit(resource: number, rlim: Buffer): number;
  /** `int setsockopt(int fd, int level, int name, const void *value, socklen_t len)`. */
  setsockopt(fd: number, level: number, name: number, value: Buffer, len: number): number;
  /** `int getsockopt(int fd, int level, int name, void *value, socklen_t *len)`; `len` is a u32 buffer. */
  getsockopt(fd: number, level: number, name: number, value: Buffer, len: Buffer): number;
  /** `int tcflush(int fd, int queue_selector)`: discard a terminal's unsent output (`TCOFLUSH`) or unread input. */
  tcflush(fd: number, queue: number): number;
  /** The C `errno` of the last failed call. */
  errno(): number;
}

let loaded: Libc | null | undefined;
let failure: string | undefined;

/** libc on Linux, or null (see `libcUnavailable()` for why). Loaded once, on first use. */
export function libc(): Libc | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  if (process.platform !== 'linux') {
    failure = `not on Linux (${process.platform})`;
    return null;
  }
  try {
    const koffi = createRequire(import.meta.url)('koffi') as Koffi;
    const lib = koffi.load('libc.so.6');
    loaded = {
      koffi,
      getrlimit: lib.func('int getrlimit(int, _Out_ uint8_t *)') as Libc['getrlimit'],
      setrlimit: lib.func('int setrlimit(int, const uint8_t *)') as Libc['setrlimit'],
      setsockopt: lib.func('int setsockopt(int, int, int, const uint8_t *, uint32_t)') as Libc['setsockopt'],
      getsockopt: lib.func(
        'int getsockopt(int, int, int, _Inout_ uint8_t *, _Inout_ uint8_t *)',
      ) as Libc['getsockopt'],
      tcflush: lib.func('int tcflush(int, int)') as Libc['tcflush'],
      errno: () => koffi.errno(),
    };
  } catch (err) {
    failure = err instanceof Error ? err.message : String(err);
  }
  return loaded;
}

/** `tcflush` queue selector: the output written but not yet sent (Linux `TCOFLUSH`). */
export const TCOFLUSH = 1;

/** Why `libc()` is null (one line), or undefined when it loaded or was not tried yet. */
export function libcUnavailable(): string | undefined {
  return failure;
}
