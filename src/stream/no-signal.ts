/**
 * The "NO SIGNAL" card streamed while a camera is offline or has not sent a
 * frame yet, so viewers see why the picture stopped instead of a hung request.
 * The bytes live in `no-signal-jpeg.ts`, made by `scripts/make-no-signal.sh`.
 */
import { NO_SIGNAL_JPEG_BASE64 } from './no-signal-jpeg.js';

/** A 320×240 baseline JPEG reading "NO SIGNAL". Shared by every viewer: do not mutate. */
export const NO_SIGNAL_JPEG: Buffer = Buffer.from(NO_SIGNAL_JPEG_BASE64, 'base64');
