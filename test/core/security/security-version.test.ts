import { expect } from 'chai';
import { FIXTURE_MODULES, startFixtureApp } from '../../support/fixture-app';
import type { TestApp } from '../../support/harness';
import { CORE } from '../../../core/kernel/identifiers';
import type { RoleService, UserService } from '../../../core/security/services';
import { Kernel } from '../../../core/kernel/kernel';

/**
 * Processes keep what they loaded of a user's rights only while the database's security counter
 * stands still, so a change made through any process reaches every process at its next request.
 */
describe('rights changed in one process reach the others', () => {
  let t: TestApp;
  before(async () => {
    t = await startFixtureApp();
  });
  after(() => t.close());

  it('takes a revoked permission away at the next request', async () => {
    const user = await t.createUser({ permissions: ['alpha.item.read'] });
    const token = await t.token(user.email);
    await t.request().get('/api/v1/alpha/items').set('Authorization', `Bearer ${token}`).expect(200);
    const admin = await t.contextFor((await t.knex('core_users').where({ email: t.admin.email }).first()).id);
    await t.container.get<RoleService>(CORE.Roles).update(admin, user.roleId, { permissions: [] });
    await t.request().get('/api/v1/alpha/items').set('Authorization', `Bearer ${token}`).expect(403);
  });

  it('shuts a deactivated user out at once, whatever was loaded before', async () => {
    const user = await t.createUser({ permissions: ['alpha.item.read'] });
    const token = await t.token(user.email);
    await t.request().get('/api/v1/alpha/items').set('Authorization', `Bearer ${token}`).expect(200);
    const admin = await t.contextFor((await t.knex('core_users').where({ email: t.admin.email }).first()).id);
    await t.container.get<UserService>(CORE.Users).update(admin, user.id, { is_active: false });
    await t.request().get('/api/v1/alpha/items').set('Authorization', `Bearer ${token}`).expect(401);
  });

  it('sees a grant made by another process', async () => {
    const user = await t.createUser({ permissions: [] });
    const ctxHere = await t.contextFor(user.id);
    expect(ctxHere.can('alpha.item.read')).to.equal(false);
    // A second process on the same database changes the role.
    const other = await Kernel.boot({ modulesDir: FIXTURE_MODULES, config: { ...t.kernel.config, logLevel: 'silent' }, runJobs: false });
    try {
      const admin = await other.contexts.forUser((await other.knex('core_users').where({ email: t.admin.email }).first()).id);
      await other.container.get<RoleService>(CORE.Roles).update(admin, user.roleId, { permissions: ['alpha.item.read'] });
    } finally {
      await other.close();
    }
    expect((await t.contextFor(user.id)).can('alpha.item.read')).to.equal(true);
  });
});
