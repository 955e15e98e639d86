/** `0x04`: a byte as command replies and logs show it. */
export function hexByte(b: number): string {
  return `0x${b.toString(16).padStart(2, '0')}`;
}
