import crypto from 'node:crypto';
import { startTestApp, type TestApp } from 'tessera/testing';

/** The run's shared application (every installed module, the demo company with its demo shops). */
export function baseTestApp(): Promise<TestApp> {
  return startTestApp();
}

/** Shop codes and names unique to this run, since every test file shares one database. */
export function unique(prefix: string): string {
  return `${prefix}${crypto.randomBytes(3).toString('hex')}`.toUpperCase();
}

export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}`, Accept: 'application/json' };
}
