/** How auto-detection recognises the ArduCAM Mini sketches: their `ACK CMD` or `ACK IMG END` text. */
import { prefixAt } from '../common/scan.js';
import type { Signature } from '../module.js';

const ACK_CMD = Buffer.from('ACK CMD', 'latin1');
const ACK_IMG = Buffer.from('ACK IMG END', 'latin1');

export const arducamSignature: Signature = {
  firstBytes: [ACK_CMD[0]!],
  framed: false,
  at(w, i) {
    const cmd = prefixAt(w, i, ACK_CMD);
    const img = prefixAt(w, i, ACK_IMG);
    if (cmd === 'yes' || img === 'yes') return 'yes';
    return cmd === 'need' || img === 'need' ? 'need' : 'no';
  },
};
