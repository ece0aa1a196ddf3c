/**
 * `tessera/testing`: what a module's tests need from Tessera, built-in or an integrator's: the
 * application booted on a fresh database with a signed-in agent, a database of one's own, and the
 * install's root. A module's tests import from here, never from this folder's other files.
 */
export { ADMIN, startTestApp, closeSharedTestApp, closeKernel, drainJobs, bootOn, login, csrfFrom } from './harness';
export type { TestApp, TestAgent, TestUser } from './harness';
export { createTestDatabase } from './test-database';
export type { TestDatabase } from './test-database';
export { openDatabase, listTables } from '../../core/db/connection';
export { ROOT_DIR } from '../../core/config/load-config';

// Added by bin/codemods/core-imports.js (move a line up to its group when you like)
export { CHROMIUM, RESULTS, openBrowserPage, requireChromium, signIn } from './browser-page';
export type { BrowserPage } from './browser-page';
export { ownStatementsDuring, requestRoundTrips, requestStatements, statementsDuring } from './statements';
export type { Statement } from './statements';
