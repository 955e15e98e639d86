/**
 * Where the MQTT broker is: `mqtt://[USER:PASS@]HOST[:PORT]` (or `mqtts://`) as
 * `--mqtt` takes it, split into a URL without credentials (the only form that is
 * ever printed) and the credentials. Checks throw plain `Error`s; the option
 * table words them as `ConfigError`s.
 */

export interface MqttAddress {
  /** `mqtt://host:port` or `mqtts://…`, without credentials. */
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
}

export function parseMqttUrl(raw: string): MqttAddress {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    url = new URL('invalid:');
  }
  if (
    (url.protocol !== 'mqtt:' && url.protocol !== 'mqtts:') ||
    url.hostname === '' ||
    url.pathname.length > 1
  ) {
    throw new Error(
      `must be mqtt://[USER:PASS@]HOST[:PORT] (or mqtts://), got "${raw.replace(/\/\/[^@/]*@/, '//***@')}"`,
    );
  }
  const username = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  return {
    url: `${url.protocol}//${url.host}`,
    ...(username !== '' ? { username, password } : {}),
  };
}

/** The address with `USER:PASS` from the environment when the URL carries none. */
export function withMqttCredentials(address: MqttAddress, env: string | undefined): MqttAddress {
  if (env === undefined || address.username !== undefined) return address;
  const colon = env.indexOf(':');
  if (colon <= 0) throw new Error('must be USER:PASS');
  return { ...address, username: env.slice(0, colon), password: env.slice(colon + 1) };
}
