/** The library's gateway-wide options, checked by the same rules as their flags. */
import { describe, expect, it } from 'vitest';
import { resolveHttpLimits } from '../src/config.js';
import { ConfigError } from '../src/options.js';

describe('resolveHttpLimits', () => {
  it('normalizes host names and addresses, keeps * and a whole maxClients', () => {
    expect(
      resolveHttpLimits({ cameras: [], allowHosts: ['Cam.Example.com', '[::1]', '*'], maxClients: 7 }),
    ).toEqual({
      allowHosts: ['cam.example.com', '::1', '*'],
      maxClients: 7,
    });
    expect(resolveHttpLimits({ cameras: [] })).toEqual({ allowHosts: [] });
  });

  it('names the option it refuses', () => {
    expect(() => resolveHttpLimits({ cameras: [], allowHosts: ['http://x'] })).toThrow(ConfigError);
    expect(() => resolveHttpLimits({ cameras: [], allowHosts: ['cam.example.com:80'] })).toThrow(
      /^allowHosts must be a host name/,
    );
    expect(() => resolveHttpLimits({ cameras: [], maxClients: 0 })).toThrow(
      /^maxClients must be a whole number ≥ 1/,
    );
    expect(() => resolveHttpLimits({ cameras: [], maxClients: 2.5 })).toThrow(/maxClients/);
  });
});
