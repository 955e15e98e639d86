/**
 * The flags of *Many machines*, read for the CLI: `--from` (a relay instead of a
 * gateway, with what it may not be combined with), `--publish`, `--publish-keep`,
 * `--mqtt`, `--mqtt-fps`, `--site` and `--stdout`, with credentials from
 * `CAM_GATEWAY_NATS_AUTH` / `CAM_GATEWAY_MQTT_AUTH` when a URL carries none.
 */
import type { GatewayOptions } from './config.js';
import { flagValue, type RawValues } from './flags.js';
import { ConfigError, DEFAULTS } from './options.js';
import type { RelayOptions } from './relay/relay.js';
import { type BusAddress, parseNatsUrl, withCredentials } from './sinks/nats/address.js';

/** Flags a relay does not take (it has no camera of its own). */
const NOT_WITH_FROM = ['port', 'demo', 'replay', 'publish', 'mqtt', 'stdout', 'record'] as const;

/** `--from`: the relay's bus and site; undefined without `--from`. */
export function relayFlags(
  values: RawValues,
  env: NodeJS.ProcessEnv,
): Pick<RelayOptions, 'address' | 'site'> | undefined {
  const from = flagValue(values, 'from');
  if (from === undefined) return undefined;
  const other = NOT_WITH_FROM.find((flag) => values[flag] !== undefined);
  if (other) throw new ConfigError(`--from relays the bus and takes no --${other}`);
  return { address: natsAddress(from, env), site: flagValue(values, 'site') ?? DEFAULTS.site };
}

/** A gateway's sinks from the flags, and `--stdout`'s camera ('' = the first). */
export function sinkFlags(
  values: RawValues,
  env: NodeJS.ProcessEnv,
): Pick<GatewayOptions, 'site' | 'publish' | 'mqtt'> & { stdout?: string } {
  const publish = flagValue(values, 'publish');
  const keep = flagValue(values, 'publish-keep');
  const mqtt = flagValue(values, 'mqtt');
  const mqttFps = flagValue(values, 'mqtt-fps');
  const stdout = flagValue(values, 'stdout');
  if (keep !== undefined && publish === undefined)
    throw new ConfigError('--publish-keep goes with --publish');
  if (mqttFps !== undefined && mqtt === undefined) throw new ConfigError('--mqtt-fps goes with --mqtt');
  const natsAuth = env.CAM_GATEWAY_NATS_AUTH;
  const mqttAuth = env.CAM_GATEWAY_MQTT_AUTH;
  return {
    site: flagValue(values, 'site') ?? DEFAULTS.site,
    ...(publish !== undefined
      ? {
          publish: {
            url: publish,
            keep: keep ?? DEFAULTS.publishKeep,
            ...(natsAuth !== undefined ? { credentials: natsAuth } : {}),
          },
        }
      : {}),
    ...(mqtt !== undefined
      ? {
          mqtt: {
            url: mqtt,
            fps: mqttFps ?? DEFAULTS.mqttFps,
            ...(mqttAuth !== undefined ? { credentials: mqttAuth } : {}),
          },
        }
      : {}),
    ...(stdout !== undefined ? { stdout } : {}),
  };
}

/** A `--from` URL with credentials from `CAM_GATEWAY_NATS_AUTH` when it has none. */
function natsAddress(url: string, env: NodeJS.ProcessEnv): BusAddress {
  try {
    return withCredentials(parseNatsUrl(url), env.CAM_GATEWAY_NATS_AUTH);
  } catch (err) {
    const name = env.CAM_GATEWAY_NATS_AUTH !== undefined ? 'CAM_GATEWAY_NATS_AUTH' : '--from';
    throw new ConfigError(`${name} ${(err as Error).message}`);
  }
}
