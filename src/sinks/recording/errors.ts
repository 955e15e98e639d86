/**
 * Why a recording request or the recording itself failed, as a *kind*; only
 * `src/http/errors.ts` turns kinds into HTTP statuses.
 */

/**
 * - `invalid`: a bad parameter (`parameter` names it)
 * - `not-found`: no such camera, file or frames in the asked span
 * - `off`: the feature is not enabled (no `--save DIR`, `--preroll 0`, no `--timelapse`)
 * - `unusable`: the recording folder cannot be used (at start: one line, exit 1)
 * - `io`: reading or writing a file failed
 */
export type RecordingErrorKind = 'invalid' | 'not-found' | 'off' | 'unusable' | 'io';

export class RecordingError extends Error {
  readonly kind: RecordingErrorKind;
  readonly parameter: string | undefined;

  constructor(kind: RecordingErrorKind, message: string, parameter?: string) {
    super(message);
    this.name = 'RecordingError';
    this.kind = kind;
    this.parameter = parameter;
  }
}

/** The message of anything thrown, without Node's `ENOENT: ` style prefix doubled up. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
