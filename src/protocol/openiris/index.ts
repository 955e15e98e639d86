/** EyeTrackVR OpenIris, wired (USB serial) streaming. Its JSON commands are not exposed as controls. */
import type { ProtocolModule } from '../module.js';
import { OpenIrisDecoder } from './decoder.js';
import { openIrisSignature } from './signature.js';

export const openiris: ProtocolModule<'openiris'> = {
  name: 'openiris',
  title: 'OpenIris',
  createDecoder: (options) => new OpenIrisDecoder(options),
  signature: () => openIrisSignature,
};
