/** Arducam Mega 3MP/5MP SPI cameras through the `ArducamLink` serial examples. */
import type { ProtocolModule } from '../module.js';
import { megaControls } from './controls.js';
import { ArducamMegaDecoder } from './decoder.js';
import { megaSignature } from './signature.js';

export const arducamMega: ProtocolModule<'arducam-mega'> = {
  name: 'arducam-mega',
  title: 'Arducam Mega',
  createDecoder: (options) => new ArducamMegaDecoder(options),
  signature: () => megaSignature,
  controls: megaControls,
};
