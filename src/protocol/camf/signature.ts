/** How auto-detection recognises CAMF: `CAMF` 01 with a correct header CRC and a length ≤ maxFrameBytes. */
import { needMore, prefixAt } from '../common/scan.js';
import type { Signature } from '../module.js';
import { crc32 } from './crc32.js';
import { CAMF_HEADER_BYTES, CAMF_MAGIC, CAMF_VERSION } from './frame.js';

const MAGIC_V1 = Buffer.from([...CAMF_MAGIC, CAMF_VERSION]);

export const camfSignature: Signature = {
  firstBytes: [CAMF_MAGIC[0]!],
  framed: true,
  prefixes: [CAMF_MAGIC],
  at(w, i) {
    const p = prefixAt(w, i, CAMF_MAGIC);
    if (p !== 'yes') return p;
    if (w.len - i < CAMF_HEADER_BYTES) return needMore(w);
    const b = w.buf;
    if (b[i + 4] !== CAMF_VERSION) return 'no';
    if (crc32(b, i, i + 24) !== b.readUInt32LE(i + 24)) return 'no';
    return b.readUInt32LE(i + 20) <= w.maxFrameBytes ? 'yes' : 'no';
  },
  // Right after a JPEG, a CAMF magic and version are evidence enough, even if that header is damaged.
  follows: (w, i) => prefixAt(w, i, MAGIC_V1),
};
