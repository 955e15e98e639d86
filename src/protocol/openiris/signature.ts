/** How auto-detection recognises OpenIris: `FF A0 FF A1` <u16 len ≥ 4> followed by `FF D8 FF`. */
import { isSoiAt, needMore, prefixAt } from '../common/scan.js';
import type { Signature } from '../module.js';
import { OPENIRIS_HEADER } from './decoder.js';

export const openIrisSignature: Signature = {
  firstBytes: [OPENIRIS_HEADER[0]!],
  framed: true,
  prefixes: [Uint8Array.from(OPENIRIS_HEADER)],
  at(w, i) {
    const head = prefixAt(w, i, OPENIRIS_HEADER);
    if (head !== 'yes') return head;
    if (w.len - i < 9) return needMore(w);
    return w.buf.readUInt16LE(i + 4) >= 4 && isSoiAt(w.buf, i + 6) ? 'yes' : 'no';
  },
};
