/**
 * The recording, clip and HTTPS flags → `GatewayOptions` (`--save` and the flags that need
 * it, `--preroll`, `--tls-cert`/`--tls-key`), each value through the option table's check.
 */
import type { GatewayOptions } from './config.js';
import { flagValue, type RawValues } from './flags.js';
import { ConfigError } from './options.js';

export type RecordingFlags = Pick<GatewayOptions, 'recording' | 'prerollSeconds' | 'tls'>;

export function recordingFlags(values: RawValues): RecordingFlags {
  const dir = flagValue(values, 'save');
  const needSave = (['segment', 'keep', 'min-free', 'timelapse'] as const).find(
    (f) => values[f] !== undefined,
  );
  if (dir === undefined && needSave) throw new ConfigError(`--${needSave} needs --save DIR`);
  const out: RecordingFlags = {};
  if (dir !== undefined) {
    const segmentSeconds = flagValue(values, 'segment');
    const keep = flagValue(values, 'keep');
    const minFree = flagValue(values, 'min-free');
    const timelapseSeconds = flagValue(values, 'timelapse');
    out.recording = {
      dir,
      ...(segmentSeconds !== undefined ? { segmentSeconds } : {}),
      ...(keep !== undefined ? { keep } : {}),
      ...(minFree !== undefined ? { minFree } : {}),
      ...(timelapseSeconds !== undefined ? { timelapseSeconds } : {}),
    };
  }
  const preroll = flagValue(values, 'preroll');
  if (preroll !== undefined) out.prerollSeconds = preroll;
  const cert = flagValue(values, 'tls-cert');
  const key = flagValue(values, 'tls-key');
  if ((cert === undefined) !== (key === undefined)) {
    throw new ConfigError(
      cert === undefined ? '--tls-key needs --tls-cert FILE' : '--tls-cert needs --tls-key FILE',
    );
  }
  if (cert !== undefined && key !== undefined) out.tls = { cert, key };
  return out;
}
