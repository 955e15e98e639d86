/**
 * Device protocols: pure push decoders (bytes in, events out), encoders for the CAMF framing,
 * the JPEG structure walker and helpers. Everything public in src/protocol is re-exported here.
 */
export * from './arducam.js';
export * from './arducam-commands.js';
export * from './arducam-mega.js';
export * from './camf.js';
export * from './crc32.js';
export * from './detect.js';
export * from './jpeg.js';
export * from './jpeg-info.js';
export * from './jpeg-walker.js';
/** Arducam Mega command builders (`megaCommands.startStream()`, …): namespaced, their names are generic. */
export * as megaCommands from './mega-commands.js';
export * from './openiris.js';
export * from './types.js';
