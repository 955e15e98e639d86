/** ArduCAM Mini 2MP / 2MP Plus / 5MP Plus serial sketches (`examples/mini`). */
import type { ProtocolModule } from '../module.js';
import { arducamControls } from './controls.js';
import { ArducamDecoder } from './decoder.js';
import { createArducamDriver } from './driver.js';
import { arducamSignature } from './signature.js';

export const arducam: ProtocolModule<'arducam'> = {
  name: 'arducam',
  title: 'ArduCAM Mini',
  createDecoder: (options) => new ArducamDecoder(options),
  signature: () => arducamSignature,
  controls: arducamControls,
  createDriver: (context) => createArducamDriver(context),
};
