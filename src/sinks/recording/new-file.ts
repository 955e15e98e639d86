/**
 * A new file under the recording folder that never overwrites one: the plain
 * name, else the same with `-1`, `-2` … (`paths.ts` makes the names). Its
 * folders are made as needed.
 */
import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Tries of a name with a `-N` suffix when the plain one is taken. */
const NAME_ATTEMPTS = 100;

/**
 * Creates `dir/pathFor(attempt)` for the first attempt whose path is neither `taken` (listed)
 * nor on disk; resolves with its relative path and an open handle for writing.
 */
export async function createNewFile(
  dir: string,
  pathFor: (attempt: number) => string,
  taken: (path: string) => boolean,
): Promise<{ path: string; handle: FileHandle }> {
  for (let attempt = 0; attempt < NAME_ATTEMPTS; attempt++) {
    const path = pathFor(attempt);
    if (taken(path)) continue;
    const abs = join(dir, path);
    await mkdir(dirname(abs), { recursive: true });
    try {
      return { path, handle: await open(abs, 'wx') };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  throw new Error(`no free file name for ${join(dir, pathFor(0))} after ${NAME_ATTEMPTS} tries`);
}

/**
 * Writes `bytes` whole into a new file (named as `createNewFile` does), its mtime set to `mtime`
 * (epoch seconds) when given; resolves with its relative path.
 */
export async function writeNewFile(
  dir: string,
  pathFor: (attempt: number) => string,
  taken: (path: string) => boolean,
  bytes: Uint8Array,
  mtime?: number,
): Promise<string> {
  const { path, handle } = await createNewFile(dir, pathFor, taken);
  try {
    await handle.writeFile(bytes);
    if (mtime !== undefined) await handle.utimes(mtime, mtime);
  } finally {
    await handle.close();
  }
  return path;
}
