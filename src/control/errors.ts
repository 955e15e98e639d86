/**
 * Why a control request was not carried out. Control, camera and protocol code
 * say *what* went wrong; the HTTP layer (`src/http/errors.ts`) alone decides
 * which status that is.
 */

export type ControlErrorKind =
  /** The value is not one the control takes (names the allowed values). */
  | 'invalid'
  /** The camera has no such control (`supported` lists what it has). */
  | 'unsupported'
  /** The camera cannot take commands now (not identified yet, plays a recording that takes none). */
  | 'unavailable'
  /** Too many commands queued for this camera. */
  | 'busy'
  /** The port is closed or the write failed. */
  | 'offline'
  /** The device did not answer in time. */
  | 'timeout';

export class ControlError extends Error {
  readonly kind: ControlErrorKind;
  /** For `unsupported`: the controls this camera does have. */
  readonly supported?: readonly string[];
  /** The request parameter at fault (`var` or `val`), when one is. */
  readonly parameter?: 'var' | 'val';

  constructor(
    kind: ControlErrorKind,
    message: string,
    details: { supported?: readonly string[]; parameter?: 'var' | 'val' } = {},
  ) {
    super(message);
    this.name = 'ControlError';
    this.kind = kind;
    if (details.supported) this.supported = details.supported;
    if (details.parameter) this.parameter = details.parameter;
  }
}
