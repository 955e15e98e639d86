/**
 * Lists what an earlier run left in the recording folder, once at start: each
 * file the gateway names (`paths.ts`) with its span, frames and size. A
 * finished segment says all that in its first bytes; one cut short (`kill -9`,
 * power cut) is walked up to its last complete frame; a timelapse frame's time
 * is its file's mtime (set to the frame's timestamp when it was written).
 * Symbolic links and files the gateway did not name are left out (and so are
 * never served nor deleted).
 */
import { createReadStream } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Catalog, RecordedFile } from './catalog.js';
import { MkvBlockScanner, readMkvHead } from './mkv-read.js';
import { parseRecordingPath } from './paths.js';

/** Bytes read for a file's head: the header and the room reserved for the SeekHead and Tags. */
const HEAD_BYTES = 4096;

/** Relative paths of the regular files under `dir`, down to `depth` folders, symlinks left out. */
async function regularFiles(dir: string, depth: number, prefix = ''): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(join(dir, prefix));
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of names.sort()) {
    const rel = prefix ? `${prefix}/${name}` : name;
    const stat = await lstat(join(dir, rel)).catch(() => undefined);
    if (!stat || stat.isSymbolicLink()) continue;
    if (stat.isDirectory() && depth > 0) out.push(...(await regularFiles(dir, depth - 1, rel)));
    else if (stat.isFile()) out.push(rel);
  }
  return out;
}

/** Start, end and frames of a Matroska file; a file cut short is walked to its last complete frame. */
async function mkvFacts(file: string): Promise<{ start: number; end: number; frames: number } | undefined> {
  const handle = await open(file, 'r');
  let head: ReturnType<typeof readMkvHead>;
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    head = readMkvHead(buffer.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
  if (!head) return undefined;
  if (head.duration !== undefined && head.frames !== undefined) {
    return { start: head.start, end: head.start + head.duration, frames: head.frames };
  }
  const scanner = new MkvBlockScanner(head);
  for await (const chunk of createReadStream(file, { start: head.firstCluster, highWaterMark: 1 << 20 })) {
    scanner.push(chunk as Buffer);
  }
  return scanner.summary();
}

/** Adds every recording under `dir` to `catalog`. */
export async function scanFolder(dir: string, catalog: Catalog): Promise<void> {
  for (const path of await regularFiles(dir, 3)) {
    const named = parseRecordingPath(path);
    if (!named) continue;
    const abs = join(dir, path);
    const stat = await lstat(abs).catch(() => undefined);
    if (!stat) continue;
    const mtime = stat.mtimeMs / 1000;
    // A file that is not (or no longer) Matroska is still listed, so retention can delete it.
    const facts =
      named.kind === 'timelapse'
        ? { start: mtime, end: mtime, frames: 1 }
        : ((await mkvFacts(abs).catch(() => undefined)) ?? { start: mtime, end: mtime, frames: 0 });
    const file: RecordedFile = { path, ...named, ...facts, bytes: stat.size, open: false };
    catalog.add(file);
  }
}
