import type { SecretBox } from 'tessera/core';
import { keyFromHex, startingCodeOf } from './openpaygo-token';

type Values = Record<string, unknown>;

/**
 * A plan's device fields checked and turned into what is stored: the secret sealed, the starting code
 * derived from the key when the manufacturer gave none, and, for a new secret or starting code (a new
 * device), the token count back to 0. Problems are named by field.
 */
export async function deviceValues(secrets: SecretBox, values: Values, before: Values | null, errors: Record<string, string>): Promise<Values> {
  const mode = (values.device_mode ?? before?.device_mode ?? 'connected') as string;
  const secret = values.device_secret;
  const out: Values = {};
  if (secret !== undefined && secret !== null && secret !== '') {
    const key = keyFromHex(String(secret));
    if (!key) {
      errors.device_secret = 'must be 32 hexadecimal characters (the 16-byte OpenPAYGO key)';
      return out;
    }
    out.device_secret = secrets.seal(String(secret).toLowerCase());
    if (values.device_starting_code === undefined || values.device_starting_code === null) out.device_starting_code = startingCodeOf(key);
    out.device_count = 0;
  } else if (values.device_starting_code !== undefined && before) {
    out.device_count = 0;
  }
  const hasSecret = Boolean(out.device_secret) || Boolean(before?.has_device_secret);
  if (mode === 'code' && !hasSecret) errors.device_secret = 'is required for a code-based device';
  return out;
}
