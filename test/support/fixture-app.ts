import path from 'node:path';
import { startTestApp, TestApp } from './harness';

export const FIXTURE_MODULES = path.join(__dirname, '..', 'fixtures', 'modules');

/** An app running only the fixture modules: core behaviour tested apart from the business modules. */
export function startFixtureApp(): Promise<TestApp> {
  return startTestApp({ kernel: { modulesDir: FIXTURE_MODULES } });
}
