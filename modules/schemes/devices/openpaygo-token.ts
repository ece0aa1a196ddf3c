/**
 * OpenPAYGO Token (standard 9-digit tokens), written from the open specification: a device holds a
 * 16-byte secret key, a 9-digit starting code and the count of the last token it accepted. A token
 * carries its value in its last three digits (offset by the starting code's) and proves itself by a
 * chain of SipHash-2-4 hashes as long as its count, so the device checks it offline. ADD_TIME tokens
 * take even counts, SET_TIME (and disable, counter sync) odd ones; a count is never used twice.
 */

const MASK64 = (1n << 64n) - 1n;
const TOKEN_OFFSET = 1000;
/** The largest number of days one standard token adds (996–999 are reserved by the standard). */
export const MAX_TOKEN_DAYS = 995;

/** The value of the token that unlocks a device for good (a paid-off plan). */
export const DISABLE_PAYG_VALUE = 998;

export type TokenKind = 'add_time' | 'set_time' | 'disable_payg';

function rotl(x: bigint, b: bigint): bigint {
  return ((x << b) | (x >> (64n - b))) & MASK64;
}

/** SipHash-2-4 of `message` under a 16-byte key, as the unsigned 64-bit integer of its little-endian digest. */
export function sipHash24(key: Uint8Array, message: Uint8Array): bigint {
  if (key.length !== 16) throw new Error('SipHash needs a 16-byte key');
  const k = Buffer.from(key);
  const m = Buffer.from(message);
  const k0 = k.readBigUInt64LE(0);
  const k1 = k.readBigUInt64LE(8);
  let v0 = k0 ^ 0x736f6d6570736575n;
  let v1 = k1 ^ 0x646f72616e646f6dn;
  let v2 = k0 ^ 0x6c7967656e657261n;
  let v3 = k1 ^ 0x7465646279746573n;
  const round = () => {
    v0 = (v0 + v1) & MASK64;
    v1 = rotl(v1, 13n) ^ v0;
    v0 = rotl(v0, 32n);
    v2 = (v2 + v3) & MASK64;
    v3 = rotl(v3, 16n) ^ v2;
    v0 = (v0 + v3) & MASK64;
    v3 = rotl(v3, 21n) ^ v0;
    v2 = (v2 + v1) & MASK64;
    v1 = rotl(v1, 17n) ^ v2;
    v2 = rotl(v2, 32n);
  };
  const whole = m.length - (m.length % 8);
  for (let i = 0; i < whole; i += 8) {
    const word = m.readBigUInt64LE(i);
    v3 ^= word;
    round();
    round();
    v0 ^= word;
  }
  // The last word: the remaining bytes, and the message length (mod 256) in the top byte.
  let last = BigInt(m.length & 0xff) << 56n;
  for (let j = 0; j < m.length - whole; j++) last |= BigInt(m[whole + j]) << BigInt(8 * j);
  v3 ^= last;
  round();
  round();
  v0 ^= last;
  v2 ^= 0xffn;
  for (let i = 0; i < 4; i++) round();
  return (v0 ^ v1 ^ v2 ^ v3) & MASK64;
}

/** The 16-byte key from its 32 hexadecimal characters; null when it is not that. */
export function keyFromHex(hex: string): Buffer | null {
  return /^[0-9a-fA-F]{32}$/.test(hex) ? Buffer.from(hex, 'hex') : null;
}

/** A 64-bit hash folded to a number of at most 9 digits: high word XOR low word, its 30 top bits, wrapped under 10⁹. */
function hashToCode(hash: bigint): number {
  const folded = (Number(hash >> 32n) ^ Number(hash & 0xffffffffn)) >>> 0;
  const bits = folded >>> 2;
  return bits > 999_999_999 ? bits - 73_741_825 : bits;
}

/** The next code of the chain: the hash of the previous code's 4 big-endian bytes, written twice. */
function nextCode(previous: number, key: Uint8Array): number {
  const bytes = Buffer.alloc(8);
  bytes.writeUInt32BE(previous >>> 0, 0);
  bytes.writeUInt32BE(previous >>> 0, 4);
  return hashToCode(sipHash24(key, bytes));
}

const baseOf = (code: number) => code % TOKEN_OFFSET;
const withBase = (code: number, base: number) => code - baseOf(code) + base;

/** The starting code a device derives from its key when the manufacturer gave none. */
export function startingCodeOf(key: Uint8Array): number {
  return hashToCode(sipHash24(key, key));
}

/** The count the next token of this kind takes after `lastCount`: even for ADD_TIME, odd for SET_TIME. */
export function nextCount(lastCount: number, kind: TokenKind = 'add_time'): number {
  const odd = lastCount % 2 === 1;
  if (kind === 'add_time') return odd ? lastCount + 1 : lastCount + 2;
  return odd ? lastCount + 2 : lastCount + 1;
}

export interface Token {
  /** Nine digits, zero-padded: what the customer types on the device. */
  code: string;
  /** The count this token used: the device's new last count once it accepts it. */
  count: number;
}

/** A token adding (or setting) `value` days after the device's `lastCount`. */
export function encodeToken(input: { key: Uint8Array; startingCode: number; lastCount: number; value: number; kind?: TokenKind }): Token {
  const { key, startingCode, lastCount } = input;
  const value = input.kind === 'disable_payg' ? DISABLE_PAYG_VALUE : input.value;
  if (input.kind !== 'disable_payg' && (!Number.isInteger(value) || value < 0 || value > MAX_TOKEN_DAYS)) throw new RangeError(`A token carries 0 to ${MAX_TOKEN_DAYS} days, not ${value}`);
  if (!Number.isInteger(startingCode) || startingCode < 0 || startingCode > 999_999_999) throw new RangeError('The starting code has at most 9 digits');
  const base = (baseOf(startingCode) + value) % TOKEN_OFFSET;
  const count = nextCount(lastCount, input.kind ?? 'add_time');
  let code = withBase(startingCode, base);
  for (let i = 0; i < count; i++) code = nextCode(code, key);
  return { code: String(withBase(code, base)).padStart(9, '0'), count };
}

/**
 * What a device does with a typed token, offline: the value from the last three digits, then the hash
 * chain walked up to `window` counts past its last one. A token of a count already used is refused.
 */
export function decodeToken(input: { key: Uint8Array; startingCode: number; lastCount: number; token: string; window?: number }): { value: number; count: number; kind: TokenKind } | null {
  if (!/^\d{9}$/.test(input.token)) return null;
  const token = Number(input.token);
  const base = baseOf(token);
  const value = (base - baseOf(input.startingCode) + TOKEN_OFFSET) % TOKEN_OFFSET;
  if (value > MAX_TOKEN_DAYS && value !== DISABLE_PAYG_VALUE) return null;
  let code = withBase(input.startingCode, base);
  const last = input.lastCount + (input.window ?? 30);
  for (let count = 1; count <= last; count++) {
    code = nextCode(code, input.key);
    if (withBase(code, base) !== token) continue;
    if (count <= input.lastCount) return null;
    return { value, count, kind: value === DISABLE_PAYG_VALUE ? 'disable_payg' : count % 2 === 0 ? 'add_time' : 'set_time' };
  }
  return null;
}

/** Days split into tokens of at most 995 days each (one standard token carries no more). */
export function splitDays(days: number): number[] {
  const parts: number[] = [];
  for (let left = days; left > 0; left -= MAX_TOKEN_DAYS) parts.push(Math.min(left, MAX_TOKEN_DAYS));
  return parts;
}
