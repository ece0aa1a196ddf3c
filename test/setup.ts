/**
 * Loaded by mocha before any test: cheap password hashing and quiet logs. The database is SQLite
 * unless DATABASE_URL is set, and jobs run in-process unless REDIS_URL is set (see support/harness.ts).
 */
process.env.TESSERA_SCRYPT_N ??= '1024';
process.env.LOG_LEVEL ??= 'silent';

import { closeSharedTestApp } from './support/harness';

export const mochaHooks = {
  async afterAll() {
    await closeSharedTestApp();
  },
};
