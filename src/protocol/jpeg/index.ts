/** Bare JPEG: any sketch that writes JPEGs back to back (text between them allowed). No commands. */
import type { ProtocolModule } from '../module.js';
import { JpegStreamDecoder } from './decoder.js';
import { jpegSignature } from './signature.js';

export const jpeg: ProtocolModule<'jpeg'> = {
  name: 'jpeg',
  title: 'bare JPEG',
  createDecoder: (options) => new JpegStreamDecoder(options),
  signature: jpegSignature,
};
