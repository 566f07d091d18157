import { randomInt } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { sha256Hex } from '../common/crypto/sha256.js';

/**
 * Key format, after GitHub's tokens: `rtm_live_` + 30 base62 random characters (~178 bits) + a 6-character base62
 * CRC32 of the rest. The prefix makes leaked keys recognisable to secret scanners; the checksum lets us refuse a
 * mistyped or made-up key without a database query.
 */
export const API_KEY_PREFIX = 'rtm_live_';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_LENGTH = 30;
const CHECKSUM_LENGTH = 6;
const SHAPE = new RegExp(`^${API_KEY_PREFIX}[0-9A-Za-z]{${RANDOM_LENGTH + CHECKSUM_LENGTH}}$`);

function base62(value: number, width: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < width; i++) {
    out = ALPHABET[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out;
}

function checksum(body: string): string {
  return base62(crc32(body), CHECKSUM_LENGTH);
}

export function generateApiKey(): string {
  let random = '';
  for (let i = 0; i < RANDOM_LENGTH; i++) random += ALPHABET[randomInt(62)];
  const body = API_KEY_PREFIX + random;
  return body + checksum(body);
}

/** Shape and checksum only; says nothing about whether the key exists. */
export function isWellFormedApiKey(key: string): boolean {
  if (!SHAPE.test(key)) return false;
  const body = key.slice(0, -CHECKSUM_LENGTH);
  return checksum(body) === key.slice(-CHECKSUM_LENGTH);
}

/** Keys are random with ≥128 bits, so a fast hash is enough (Argon2 is for low-entropy passwords). */
export function hashApiKey(key: string): string {
  return sha256Hex(key);
}

/** What a person sees to tell keys apart: the prefix plus 4 random characters, and the last 4. */
export function displayParts(key: string): { keyPrefix: string; lastFour: string } {
  return { keyPrefix: key.slice(0, API_KEY_PREFIX.length + 4), lastFour: key.slice(-4) };
}
