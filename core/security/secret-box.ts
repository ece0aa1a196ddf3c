import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { TesseraConfig } from '../config/config';
import { loadConfig } from '../config/load-config';

/**
 * Encrypts secrets kept in the database (a gateway's token, an SMTP password) with AES-256-GCM, so a
 * copy of the database (a backup, a dump) does not give them away. The key never goes into the
 * database: it comes from `secretKey` (`TESSERA_SECRET_KEY`, 64 hex digits or 32 bytes in base64), or
 * from the key file (`secretKeyFile`, `TESSERA_SECRET_KEY_FILE`, `data/secret.key` by default) made on
 * first start. Every process of a cluster must read the same key: set TESSERA_SECRET_KEY there.
 *
 * Sealed text: `enc1:<key id>:<base64 of iv | tag | ciphertext>`; the key id (8 hex digits of the key's
 * SHA-256) tells a wrong key from a damaged value.
 */
export interface SecretBox {
  seal(plain: string): string;
  /** The plain text; throws a SecretBoxError naming the cause (wrong key, damaged or not sealed). */
  open(sealed: string): string;
  isSealed(value: unknown): boolean;
}

export class SecretBoxError extends Error {}

const PREFIX = 'enc1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class AesGcmSecretBox implements SecretBox {
  private readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new SecretBoxError('the secret key must be 32 bytes (AES-256)');
    this.keyId = crypto.createHash('sha256').update(key).digest('hex').slice(0, 8);
  }

  seal(plain: string): string {
    const iv = crypto.randomBytes(IV_BYTES);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${PREFIX}:${this.keyId}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  open(sealed: string): string {
    const [prefix, keyId, data] = String(sealed).split(':');
    if (prefix !== PREFIX || !data) throw new SecretBoxError('the value is not an encrypted secret');
    if (keyId !== this.keyId) throw new SecretBoxError(`the secret was encrypted with another key (${keyId}); this installation's key is ${this.keyId}`);
    const raw = Buffer.from(data, 'base64');
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError('the encrypted secret is damaged (authentication failed)');
    }
  }

  isSealed(value: unknown): boolean {
    return typeof value === 'string' && value.startsWith(`${PREFIX}:`);
  }
}

/** The installation's box: from the given configuration (the kernel's), or the one files and environment give (migrations). */
export function installationSecretBox(config: Pick<TesseraConfig, 'secretKey' | 'secretKeyFile' | 'rootDir'> = loadConfig()): SecretBox {
  return new AesGcmSecretBox(config.secretKey ? parseKey(config.secretKey, 'secretKey (TESSERA_SECRET_KEY)') : keyFromFile(path.resolve(config.rootDir, config.secretKeyFile ?? 'data/secret.key')));
}

function parseKey(text: string, source: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) throw new SecretBoxError(`${source} must be 32 bytes: 64 hex digits or base64`);
  return key;
}

/** Reads the key file, or makes it (owner-only) when there is none; two processes starting at once read the winner's. */
function keyFromFile(file: string): Buffer {
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    try {
      fs.writeFileSync(file, crypto.randomBytes(32).toString('hex') + '\n', { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return parseKey(fs.readFileSync(file, 'utf8'), file);
}
