/**
 * The protocols the gateway speaks: one line per protocol folder. Adding a protocol is its
 * folder plus one line here; names, `--protocol` choices, auto-detection and controls follow.
 */
import { arducam } from './arducam/index.js';
import { arducamMega } from './arducam-mega/index.js';
import { camf } from './camf/index.js';
import { jpeg } from './jpeg/index.js';
import type { ProtocolModule } from './module.js';
import { openiris } from './openiris/index.js';

export const PROTOCOLS = [camf, jpeg, arducam, arducamMega, openiris] as const;

/** A concrete wire protocol a camera speaks. */
export type ProtocolName = (typeof PROTOCOLS)[number]['name'];
/** What a user may ask for: a concrete protocol or detection from the bytes. */
export type ProtocolOption = ProtocolName | 'auto';

export const PROTOCOL_NAMES: readonly ProtocolName[] = PROTOCOLS.map((p) => p.name);
export const PROTOCOL_OPTIONS: readonly ProtocolOption[] = ['auto', ...PROTOCOL_NAMES];

export function isProtocolName(name: string): name is ProtocolName {
  return (PROTOCOL_NAMES as readonly string[]).includes(name);
}

/** The module of a protocol. */
export function protocolModule(name: ProtocolName): ProtocolModule {
  return PROTOCOLS.find((p) => p.name === name)!;
}
