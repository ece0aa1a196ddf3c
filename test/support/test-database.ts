import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import knexFactory from 'knex';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A new empty database for one test kernel: a temporary SQLite file, or, when DATABASE_URL names a
 * MySQL/MariaDB server, a fresh database on that server (dropped afterwards).
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  const suffix = `${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
  if (serverUrl && /^(mysql|mariadb):/.test(serverUrl)) {
    const url = new URL(serverUrl.replace(/^mariadb:/, 'mysql:'));
    const name = `tessera_t_${suffix}`;
    const admin = knexFactory({ client: 'mysql2', connection: { host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } });
    await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await admin.destroy();
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      drop: async () => {
        const k = knexFactory({ client: 'mysql2', connection: { host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } });
        await k.raw(`DROP DATABASE IF EXISTS \`${name}\``);
        await k.destroy();
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-test-'));
  return {
    url: `sqlite://${path.join(dir, 'test.sqlite')}`,
    drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
