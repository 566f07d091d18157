import { createHash } from 'node:crypto';

/** Hex SHA-256: what stored secrets (API keys, refresh tokens) and request fingerprints are kept as. */
export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
