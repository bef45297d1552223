// Parity lookup for PF (set when the low result byte has an even number of one bits).
export const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let n = 0;
  for (let b = i; b !== 0; b >>= 1) n += b & 1;
  PARITY[i] = (n & 1) === 0 ? 1 : 0;
}
