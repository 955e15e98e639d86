/** Listen addresses → the URLs a person is told to open. */
import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { isWildcard, localUrl, networkUrls } from '../../src/http/addresses.js';

const base = { netmask: '', mac: '00:00:00:00:00:00', cidr: null };
const INTERFACES: NodeJS.Dict<NetworkInterfaceInfo[]> = {
  lo: [
    { ...base, address: '127.0.0.1', family: 'IPv4', internal: true },
    { ...base, address: '::1', family: 'IPv6', internal: true, scopeid: 0 },
  ],
  eth0: [
    { ...base, address: '192.168.1.20', family: 'IPv4', internal: false },
    { ...base, address: 'fe80::1', family: 'IPv6', internal: false, scopeid: 2 },
    { ...base, address: '2001:db8::20', family: 'IPv6', internal: false, scopeid: 0 },
  ],
  wlan0: [{ ...base, address: '10.0.0.7', family: 'IPv4', internal: false }],
};

describe('listen addresses', () => {
  it('0, 0.0.0.0, ::, [::] and "" mean every interface; names and addresses do not', () => {
    for (const host of ['0', '0.0.0.0', '::', '[::]', '']) expect(isWildcard(host), host).toBe(true);
    for (const host of ['127.0.0.1', 'localhost', '192.168.1.20', '::1', 'cam.lan']) {
      expect(isWildcard(host), host).toBe(false);
    }
  });

  it('the local URL: loopback for a wildcard, the address itself otherwise (IPv6 in brackets)', () => {
    expect(localUrl('0', 8080)).toBe('http://127.0.0.1:8080');
    expect(localUrl('0.0.0.0', 8080)).toBe('http://127.0.0.1:8080');
    expect(localUrl('::', 8080)).toBe('http://[::1]:8080');
    expect(localUrl('192.168.1.20', 81)).toBe('http://192.168.1.20:81');
    expect(localUrl('fd00::2', 81)).toBe('http://[fd00::2]:81');
    expect(localUrl('cam.lan', 81)).toBe('http://cam.lan:81');
  });

  it('network URLs for a wildcard: every non-loopback IPv4 address, IPv6 too for ::, never link-local', () => {
    expect(networkUrls('0.0.0.0', 8080, INTERFACES)).toEqual([
      'http://192.168.1.20:8080/',
      'http://10.0.0.7:8080/',
    ]);
    expect(networkUrls('::', 8080, INTERFACES)).toEqual([
      'http://192.168.1.20:8080/',
      'http://[2001:db8::20]:8080/',
      'http://10.0.0.7:8080/',
    ]);
    expect(networkUrls('127.0.0.1', 8080, INTERFACES)).toEqual([]);
    expect(networkUrls('192.168.1.20', 8080, INTERFACES)).toEqual([]);
  });
});
