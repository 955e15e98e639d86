/**
 * `Range: bytes=…` for downloads (players seek in recordings with it): one
 * range, in any of its three forms; anything else is answered with the whole
 * file, as HTTP allows.
 */

/** Inclusive byte offsets. */
export interface ByteRange {
  start: number;
  end: number;
}

const RANGE = /^bytes=(\d*)-(\d*)$/;

/**
 * The range a `Range` header asks of a `size`-byte file; `'unsatisfiable'` when it starts past
 * the end (a 416); undefined to send the whole file (no header, several ranges, not bytes, malformed).
 */
export function parseRange(
  header: string | undefined,
  size: number,
): ByteRange | 'unsatisfiable' | undefined {
  const m = header === undefined ? null : RANGE.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}
