import { expect } from 'chai';
import { FIXTURE_MODULES } from '../../support/fixture-app';
import { ADMIN, startTestApp, type TestApp } from '../../support/harness';
import { startWeb } from '../../support/tessera-process';
import { Kernel } from '../../../core/kernel/kernel';

/**
 * A process answers bearer calls from what it last read of the token for tokenCacheMs. A change made
 * through Tessera is seen at once: by the process that made it, and over Redis by the others. A change
 * written straight into the database, past Tessera, is seen within tokenCacheMs.
 */
describe('bearer calls after a change to who may do what', function () {
  this.timeout(60_000);
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ kernel: { modulesDir: FIXTURE_MODULES, config: { tokenCacheMs: 400 } } });
  });
  after(() => t.close());

  const customers = (token: string, base: string) => fetch(`${base}/api/v1/crm/customers`, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } }).then((r) => r.status);
  const call = (token: string) => t.request().get('/api/v1/alpha/items').set('Authorization', `Bearer ${token}`).then((r) => r.status);

  it('sees a user deactivated straight in the database within tokenCacheMs', async () => {
    const user = await t.createUser({ permissions: ['alpha.item.read'] });
    const token = await t.token(user.email);
    expect(await call(token)).to.equal(200);
    await t.knex('core_users').where({ id: user.id }).update({ is_active: false });
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(await call(token)).to.equal(401);
  });

  it('refuses, at once, a token another process revoked, in a web process that kept it (over Redis)', async function () {
    if (!process.env.REDIS_URL) this.skip();
    // The application as `npm start` makes it (every built-in module), which `tessera serve` boots on.
    const app = await startTestApp();
    const { databaseUrl, instanceName } = app.kernel.config;
    // A real `tessera serve` keeping what it reads for a minute: only Redis can tell it sooner.
    const keeper = await startWeb('keeper', { DATABASE_URL: databaseUrl, REDIS_URL: process.env.REDIS_URL!, TESSERA_INSTANCE: instanceName!, TESSERA_TOKEN_CACHE_MS: '60000', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
    const revoker = await Kernel.boot({ config: { ...app.kernel.config, logLevel: 'silent' }, runJobs: false });
    try {
      await revoker.listen(0);
      const user = await app.createUser({ permissions: ['crm.customer.read'] });
      const token = await app.token(user.email);
      expect(await customers(token, keeper.url!)).to.equal(200);
      const { id } = await app.knex('core_api_tokens').where({ user_id: user.id }).first('id');
      await revoker.tokens.revoke(await revoker.contexts.forUser(user.id), Number(id));
      // The announcement travels through Redis: a moment, far less than the minute kept.
      const refusedBy = Date.now() + 2000;
      let status = await customers(token, keeper.url!);
      while (status === 200 && Date.now() < refusedBy) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        status = await customers(token, keeper.url!);
      }
      expect(status, keeper.output().slice(-2000)).to.equal(401);
    } finally {
      await revoker.close();
      await keeper.stop();
    }
  });
});
