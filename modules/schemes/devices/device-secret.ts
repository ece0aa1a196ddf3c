import crypto from 'node:crypto';
import type { ScopedDb } from 'tessera/core';

export const DEVICE_KEYS = 'schemes_device_keys';

/**
 * Device secrets are sealed (AES-256-GCM) before they are stored and are never shown back: the API and
 * pages answer only whether a plan has one. The sealing key comes from `SCHEMES_DEVICE_KEY` when the
 * installation sets it (so a copy of the database alone opens nothing), else from the random key
 * migration 004 stored. A sealed value names its source, so setting the variable later still opens
 * what was sealed before.
 */
type Source = 'env' | 'db';

// Derived keys by their material (a test process opens several databases, each with its own key).
const keys = new Map<string, Buffer>();

async function keyOf(db: ScopedDb, source: Source): Promise<Buffer> {
  let material: string;
  if (source === 'env') {
    material = process.env.SCHEMES_DEVICE_KEY ?? '';
    if (!material) throw new Error('This device secret was sealed with SCHEMES_DEVICE_KEY, which is not set');
  } else {
    const row = await db.unscoped("schemes' own sealing key, one row for the installation").table(DEVICE_KEYS).orderBy('id').first('key_hex');
    if (!row) throw new Error('schemes has no device sealing key: run its migrations');
    material = String(row.key_hex);
  }
  const cacheKey = `${source}:${material}`;
  let key = keys.get(cacheKey);
  if (!key) {
    key = Buffer.from(crypto.hkdfSync('sha256', material, 'tessera.schemes', 'device-secret', 32));
    keys.set(cacheKey, key);
  }
  return key;
}

export async function sealSecret(db: ScopedDb, secret: string): Promise<string> {
  const source: Source = process.env.SCHEMES_DEVICE_KEY ? 'env' : 'db';
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', await keyOf(db, source), iv);
  const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return ['v1', source, iv.toString('base64'), cipher.getAuthTag().toString('base64'), sealed.toString('base64')].join('.');
}

export async function openSecret(db: ScopedDb, sealed: string): Promise<string> {
  const [version, source, iv, tag, body] = sealed.split('.');
  if (version !== 'v1' || (source !== 'env' && source !== 'db')) throw new Error('Not a sealed device secret');
  const decipher = crypto.createDecipheriv('aes-256-gcm', await keyOf(db, source), Buffer.from(iv, 'base64'));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
}
