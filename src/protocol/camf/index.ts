/** CAMF v1, this project's own CRC-checked framing (firmware/, firmware-protocol.md). */
import type { ProtocolModule } from '../module.js';
import { camfControls } from './controls.js';
import { CamfDecoder } from './decoder.js';
import { camfSignature } from './signature.js';

export const camf: ProtocolModule<'camf'> = {
  name: 'camf',
  title: 'CAMF v1',
  createDecoder: (options) => new CamfDecoder(options),
  signature: () => camfSignature,
  controls: camfControls,
};
