/**
 * Where the frame bus is: `nats://[USER:PASS@|TOKEN@]HOST[:PORT][,HOST[:PORT]…]` as
 * `--publish` and `--from` take it, with the credentials kept apart so that no
 * log line, status or error ever prints them (`describe()` is the only text form).
 * Checks throw plain `Error`s; the option table words them as `ConfigError`s.
 */

export const DEFAULT_NATS_PORT = 4222;

export interface BusAddress {
  /** `host:port` of each server given (the client learns the rest of a cluster by itself). */
  readonly servers: readonly string[];
  readonly user?: string;
  readonly pass?: string;
  readonly token?: string;
}

const HOST_PORT = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+))(?::(\d{1,5}))?$/;

function hostPort(raw: string, url: string): string {
  const m = HOST_PORT.exec(raw);
  const port = m?.[3] === undefined ? DEFAULT_NATS_PORT : Number(m[3]);
  if (!m || port < 1 || port > 65_535) {
    throw new Error(`must be nats://[USER:PASS@]HOST[:PORT][,HOST[:PORT]…], got "${redact(url)}"`);
  }
  return m[1] !== undefined ? `[${m[1]}]:${port}` : `${m[2]}:${port}`;
}

/** `USER:PASS` or a token, as the URL's user part or `CAM_GATEWAY_NATS_AUTH` gives it. */
export function parseCredentials(raw: string): Pick<BusAddress, 'user' | 'pass' | 'token'> {
  const colon = raw.indexOf(':');
  if (colon < 0) {
    if (raw === '') throw new Error('must be USER:PASS or a token, got an empty value');
    return { token: raw };
  }
  const user = raw.slice(0, colon);
  const pass = raw.slice(colon + 1);
  if (user === '') throw new Error('must be USER:PASS (a user name before ":") or a token');
  return { user, pass };
}

/** The URL with any user part replaced by `***`, for error messages. */
function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

export function parseNatsUrl(raw: string): BusAddress {
  // `nats://a:4222,nats://b:4222` is the same list as `nats://a:4222,b:4222`.
  const m = /^nats:\/\/(?:([^@/]*)@)?([^/@]+)\/?$/.exec(raw.trim().replace(/,\s*nats:\/\//g, ','));
  if (!m) throw new Error(`must be nats://[USER:PASS@]HOST[:PORT][,HOST[:PORT]…], got "${redact(raw)}"`);
  const servers = m[2]!.split(',').map((s) => hostPort(s.trim(), raw));
  const userInfo = m[1] === undefined ? {} : parseCredentials(decodeURIComponent(m[1]));
  return { servers, ...userInfo };
}

/** The address with credentials from the environment when the URL carries none. */
export function withCredentials(address: BusAddress, env: string | undefined): BusAddress {
  if (env === undefined || address.user !== undefined || address.token !== undefined) return address;
  return { ...address, ...parseCredentials(env) };
}

/** `nats://a:4222,b:4222` — never the credentials (says whether there are some). */
export function describeBus(address: BusAddress): string {
  const auth =
    address.user !== undefined ? ' (user auth)' : address.token !== undefined ? ' (token auth)' : '';
  return `nats://${address.servers.join(',')}${auth}`;
}
