/**
 * Listen addresses as a person uses them: which ones mean "every interface" (`0.0.0.0`, `0`,
 * `::`), the URL to open on this machine, and the URLs other machines on the network can open.
 * `http://0:8080` or `http://0.0.0.0:8080` is not a URL anyone should be told to open.
 */
import { type NetworkInterfaceInfo, networkInterfaces } from 'node:os';

/** Does listening on `host` mean every interface of the machine? */
export function isWildcard(host: string): boolean {
  return host === '' || host === '0' || host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** `host` as the host part of a URL (IPv6 in brackets). */
function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** The host part of the URL to open on this machine: the loopback address for a wildcard listen. */
export function localHost(host: string): string {
  if (!isWildcard(host)) return urlHost(host);
  return host === '::' || host === '[::]' ? '[::1]' : '127.0.0.1';
}

/** The URL to open on this machine: the loopback address for a wildcard listen. */
export function localUrl(host: string, port: number): string {
  return `http://${localHost(host)}:${port}`;
}

/**
 * For a wildcard listen, the URLs other machines can open: every non-loopback address of this
 * machine (IPv6 too when listening on `::`, except link-local ones, which need a zone). Empty
 * for any other listen address.
 */
export function networkUrls(
  host: string,
  port: number,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string[] {
  if (!isWildcard(host)) return [];
  const v6 = host === '::' || host === '[::]';
  const urls: string[] = [];
  for (const entries of Object.values(interfaces)) {
    for (const entry of entries ?? []) {
      if (entry.internal) continue;
      if (entry.family === 'IPv6' && (!v6 || /^fe[89ab]/i.test(entry.address))) continue;
      urls.push(`http://${urlHost(entry.address)}:${port}/`);
    }
  }
  return urls;
}
