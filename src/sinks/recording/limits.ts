/**
 * The recording's limits as users write them: sizes (`50MB`, `2GiB`), ages
 * (`30d`, `12h`), `--keep` (a size, an age, or both: `50GB,14d`) and
 * `--min-free` (a size, a share of the disk, or both: `1GB,5%`), with the
 * recording defaults. Pure checks that throw a `RangeError` naming the option;
 * `options.ts` (flags) and `config.ts` (library) both use them.
 */

/** What to keep: the newest files up to a total size and/or up to an age. */
export interface KeepLimit {
  /** Total bytes of everything under the recording folder. */
  bytes?: number;
  /** Seconds since a file's end. */
  seconds?: number;
}

/** Free space recording never eats into: the larger of `bytes` and `percent` of the disk. */
export interface MinFree {
  bytes?: number;
  percent?: number;
}

export const RECORDING_DEFAULTS = {
  /** `--segment`: a new file every 5 minutes (and at local midnight). */
  segmentSeconds: 300,
  /** `--min-free`: the larger of 1 GB and 5 % of the disk. */
  minFree: { bytes: 1e9, percent: 5 } as Readonly<MinFree>,
  /** `--preroll`: seconds of recent frames kept per camera for clips. */
  prerollSeconds: 10,
  /** The pre-roll's fixed cap per camera, bytes (whatever `--preroll` says). */
  prerollMaxBytes: 64 * 1024 * 1024,
} as const;

const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

const AGE_UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

const SIZE = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i;
const AGE = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i;
const PERCENT = /^(\d+(?:\.\d+)?)\s*%$/;

/** `50MB`, `1.5GB`, `2GiB`, `1048576` → bytes (k/M/G/T are powers of 1000, KiB/MiB/GiB/TiB of 1024); undefined if not a size. */
export function sizeText(raw: string): number | undefined {
  const m = SIZE.exec(raw.trim());
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) return undefined;
  return Math.round(Number(m[1]) * unit);
}

/** `30d`, `12h`, `90m`, `3600s`, `2w` → seconds; undefined if not an age. */
export function ageText(raw: string): number | undefined {
  const m = AGE.exec(raw.trim());
  return m ? Number(m[1]) * AGE_UNITS[m[2]!.toLowerCase()]! : undefined;
}

/** The checks of a `KeepLimit` (typed, from the library): at least one limit, each > 0. */
export function checkKeep(keep: KeepLimit, name: string): KeepLimit {
  const { bytes, seconds } = keep;
  if (bytes === undefined && seconds === undefined) {
    throw new RangeError(`${name} needs a size (e.g. 50GB), an age (e.g. 14d) or both`);
  }
  if (bytes !== undefined && !(Number.isSafeInteger(bytes) && bytes > 0)) {
    throw new RangeError(`${name} size must be a whole number of bytes > 0, got ${bytes}`);
  }
  if (seconds !== undefined && !(seconds > 0 && Number.isFinite(seconds))) {
    throw new RangeError(`${name} age must be a number of seconds > 0, got ${seconds}`);
  }
  return { ...(bytes !== undefined ? { bytes } : {}), ...(seconds !== undefined ? { seconds } : {}) };
}

/** `--keep SIZE|AGE[,SIZE|AGE]`: `50GB`, `14d`, `50GB,14d`. */
export function parseKeep(raw: string, name: string): KeepLimit {
  const keep: KeepLimit = {};
  for (const item of raw.split(',')) {
    const bytes = sizeText(item);
    const seconds = bytes === undefined ? ageText(item) : undefined;
    if (bytes !== undefined && keep.bytes === undefined) keep.bytes = bytes;
    else if (seconds !== undefined && keep.seconds === undefined) keep.seconds = seconds;
    else {
      throw new RangeError(
        `${name} must be a size, an age or one of each, like 50GB, 14d or 50GB,14d; got "${raw}"`,
      );
    }
  }
  return checkKeep(keep, name);
}

/** The checks of a `MinFree`: a size ≥ 0 and/or a share from 0 to 100 %. */
export function checkMinFree(minFree: MinFree, name: string): MinFree {
  const { bytes, percent } = minFree;
  if (bytes === undefined && percent === undefined) {
    throw new RangeError(`${name} needs a size (e.g. 2GB), a share of the disk (e.g. 10%) or both`);
  }
  if (bytes !== undefined && !(Number.isSafeInteger(bytes) && bytes >= 0)) {
    throw new RangeError(`${name} size must be a whole number of bytes ≥ 0, got ${bytes}`);
  }
  if (percent !== undefined && !(percent >= 0 && percent <= 100)) {
    throw new RangeError(`${name} share must be from 0 to 100 %, got ${percent}`);
  }
  return { ...(bytes !== undefined ? { bytes } : {}), ...(percent !== undefined ? { percent } : {}) };
}

/** `--min-free SIZE|PERCENT[,…]`: `2GB`, `10%`, `1GB,5%` (the larger of the two). */
export function parseMinFree(raw: string, name: string): MinFree {
  const minFree: MinFree = {};
  for (const item of raw.split(',')) {
    const percent = PERCENT.exec(item.trim());
    const bytes = percent ? undefined : sizeText(item);
    if (percent && minFree.percent === undefined) minFree.percent = Number(percent[1]);
    else if (bytes !== undefined && minFree.bytes === undefined) minFree.bytes = bytes;
    else {
      throw new RangeError(
        `${name} must be a size, a share of the disk or one of each, like 2GB, 10% or 1GB,5%; got "${raw}"`,
      );
    }
  }
  return checkMinFree(minFree, name);
}

/** The bytes `minFree` asks to keep free on a disk of `totalBytes`. */
export function minFreeBytes(minFree: MinFree, totalBytes: number): number {
  return Math.max(minFree.bytes ?? 0, ((minFree.percent ?? 0) / 100) * totalBytes);
}

/** `1234567` → `1.2 MB`, for messages. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
