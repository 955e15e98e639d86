import { describe, expect, it } from 'vitest';
import { controlOutcome } from '../../src/web/api.js';

describe('controlOutcome', () => {
  it('200 {ok:true, reply} is success, in the device’s words', () => {
    expect(controlOutcome(200, '{"ok":true,"reply":"ok framesize=VGA"}')).toEqual({
      ok: true,
      message: 'ok framesize=VGA',
    });
    expect(controlOutcome(200, '{"ok":true,"reply":""}')).toEqual({ ok: true, message: 'ok' });
  });

  it('200 with ok:false is the device saying no', () => {
    expect(controlOutcome(200, '{"ok":false,"reply":"error sensor busy"}')).toEqual({
      ok: false,
      message: 'the camera answered: error sensor busy',
    });
  });

  it('an error answer shows its message, status and what the camera supports', () => {
    expect(
      controlOutcome(
        400,
        '{"error":"bad value \\"HD\\" for framesize: expected one of QVGA, VGA","parameter":"val"}',
      ),
    ).toEqual({ ok: false, message: 'bad value "HD" for framesize: expected one of QVGA, VGA (HTTP 400).' });
    expect(
      controlOutcome(400, '{"error":"unsupported control \\"zoom\\"","supported":["quality","framesize"]}'),
    ).toEqual({
      ok: false,
      message: 'unsupported control "zoom" (HTTP 400). Supported: quality, framesize.',
    });
    for (const status of [409, 503, 504]) {
      expect(controlOutcome(status, '{"error":"no"}')).toEqual({
        ok: false,
        message: `no (HTTP ${status}).`,
      });
    }
  });

  it('an answer that is not JSON (a proxy’s error page) still says what happened', () => {
    expect(controlOutcome(502, '<html>Bad Gateway</html>')).toEqual({
      ok: false,
      message: 'HTTP 502: <html>Bad Gateway</html>',
    });
    expect(controlOutcome(500, '')).toEqual({ ok: false, message: 'HTTP 500' });
    expect(controlOutcome(200, 'ok')).toEqual({ ok: false, message: 'HTTP 200: ok' });
  });
});
