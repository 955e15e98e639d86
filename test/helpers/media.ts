/**
 * What the real ffprobe and ffmpeg say about a video file: its stream, each
 * packet's time, size and offset, how many frames decode, and the frames
 * copied out byte for byte. Tests that use these declare ffprobe/ffmpeg with
 * `describeWithTools`.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ProbedStream {
  codec: string;
  width: number;
  height: number;
  /** `creation_time` (from Matroska's DateUTC) as epoch seconds, when present. */
  created?: number;
  /** The format's tags (e.g. NUMBER_OF_FRAMES). */
  tags: Record<string, string>;
  /** The format's duration in seconds, when known. */
  duration?: number;
}

export interface ProbedPacket {
  /** Seconds from the file's time zero. */
  pts: number;
  size: number;
  /** Byte offset in the file. */
  pos: number;
}

interface ProbeJson {
  streams?: { codec_name: string; width: number; height: number }[];
  format?: { duration?: string; tags?: Record<string, string> };
  packets?: { pts_time: string; size: string; pos: string }[];
}

async function probeJson(file: string, args: string[]): Promise<ProbeJson> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-of', 'json', ...args, file], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as ProbeJson;
}

export async function probeStream(file: string): Promise<ProbedStream> {
  const json = await probeJson(file, ['-show_streams', '-show_format']);
  const s = json.streams?.[0];
  if (!s) throw new Error(`ffprobe found no stream in ${file}`);
  const tags = json.format?.tags ?? {};
  const probed: ProbedStream = { codec: s.codec_name, width: s.width, height: s.height, tags };
  if (tags.creation_time)
    probed.created = Date.parse(tags.creation_time) / 1000 + microsOf(tags.creation_time);
  if (json.format?.duration) probed.duration = Number(json.format.duration);
  return probed;
}

/** Date.parse keeps milliseconds only: the microseconds after them. */
function microsOf(iso: string): number {
  const frac = /\.(\d+)Z$/.exec(iso)?.[1] ?? '';
  return frac.length > 3 ? Number(`0.000${frac.slice(3)}`) : 0;
}

export async function probePackets(file: string): Promise<ProbedPacket[]> {
  const json = await probeJson(file, ['-show_entries', 'packet=pts_time,size,pos']);
  return (json.packets ?? []).map((p) => ({
    pts: Number(p.pts_time),
    size: Number(p.size),
    pos: Number(p.pos),
  }));
}

/** ffmpeg decodes the whole file: frames decoded, its exit code and what it printed. */
export async function decodeAll(file: string): Promise<{ frames: number; code: number; stderr: string }> {
  try {
    const { stderr } = await run('ffmpeg', ['-hide_banner', '-nostdin', '-i', file, '-f', 'null', '-'], {
      maxBuffer: 16 * 1024 * 1024,
    });
    return { frames: framesOf(stderr), code: 0, stderr };
  } catch (err) {
    const e = err as { code?: number; stderr?: string };
    return { frames: framesOf(e.stderr ?? ''), code: e.code ?? -1, stderr: e.stderr ?? '' };
  }
}

function framesOf(stderr: string): number {
  const all = [...stderr.matchAll(/frame=\s*(\d+)/g)];
  return all.length > 0 ? Number(all.at(-1)![1]) : 0;
}

/** The packets copied out as-is (`-c copy`), concatenated. */
export async function copyPackets(file: string): Promise<Buffer> {
  const { stdout } = await run(
    'ffmpeg',
    ['-hide_banner', '-nostdin', '-v', 'error', '-i', file, '-c', 'copy', '-f', 'image2pipe', 'pipe:1'],
    { encoding: 'buffer', maxBuffer: 512 * 1024 * 1024 },
  );
  return stdout;
}
