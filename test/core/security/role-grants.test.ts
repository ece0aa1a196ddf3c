import { expect } from 'chai';
import { startFixtureApp } from '../../support/fixture-app';
import type { TestApp } from '../../support/harness';
import { CORE } from '../../../core/kernel/identifiers';
import type { RoleService, UserService } from '../../../core/security/services';

describe('roles and grants', () => {
  let t: TestApp;
  let roles: RoleService;
  let users: UserService;
  before(async () => {
    t = await startFixtureApp();
    roles = t.container.get<RoleService>(CORE.Roles);
    users = t.container.get<UserService>(CORE.Users);
  });
  after(() => t.close());

  async function rejection(promise: Promise<unknown>): Promise<any> {
    return promise.then(
      () => expect.fail('expected a refusal'),
      (error) => error,
    );
  }

  it('expands implied permissions: write implies read', async () => {
    const user = await t.createUser({ permissions: ['alpha.item.write'] });
    const ctx = await t.contextFor(user.id);
    expect(ctx.can('alpha.item.read')).to.equal(true);
    expect(ctx.can('core.user.read')).to.equal(false);
  });

  it('lets a sub-admin grant only permissions it holds itself', async () => {
    const subAdmin = await t.createUser({ permissions: ['core.role.manage', 'alpha.item.read'] });
    const ctx = await t.contextFor(subAdmin.id);
    const ok = await roles.create(ctx, { name: `readers-${subAdmin.id}`, permissions: ['alpha.item.read'] });
    expect(ok.permissions).to.deep.equal(['alpha.item.read']);
    const error = await rejection(roles.create(ctx, { name: `writers-${subAdmin.id}`, permissions: ['alpha.item.write'] }));
    expect(error.status).to.equal(403);
    expect(error.fields.permissions).to.contain('alpha.item.write');
  });

  it('does not let a sub-admin raise its own role', async () => {
    const subAdmin = await t.createUser({ permissions: ['core.role.manage'] });
    const ctx = await t.contextFor(subAdmin.id);
    const error = await rejection(roles.update(ctx, subAdmin.roleId, { permissions: ['core.role.manage', 'core.user.manage'] }));
    expect(error.fields.permissions).to.contain('core.user.manage');
  });

  it('does not let a sub-admin give anyone the super admin role, itself included', async () => {
    const subAdmin = await t.createUser({ permissions: ['core.user.manage', 'core.role.manage'] });
    const ctx = await t.contextFor(subAdmin.id);
    const superRole = await t.knex('core_roles').where({ is_super_admin: true }).first();
    const forOther = await rejection(users.create(ctx, { email: `x-${subAdmin.id}@tessera.test`, name: 'X', password: 'password-1', role_ids: [superRole.id], company_ids: [t.companyId] }));
    expect(forOther.fields.role_ids).to.match(/super admin/);
    const forSelf = await rejection(users.update(ctx, subAdmin.id, { role_ids: [superRole.id] }));
    expect(forSelf.status).to.equal(403);
    const editSuper = await rejection(roles.update(ctx, superRole.id, { name: 'mine now' }));
    expect(editSuper.status).to.equal(403);
  });

  it('refuses unknown permission names with the field named', async () => {
    const ctx = await t.contextFor((await t.createUser({ permissions: ['core.role.manage'] })).id);
    const error = await rejection(roles.create(ctx, { name: 'typo', permissions: ['alpha.itme.read'] }));
    expect(error.fields.permissions).to.match(/unknown permission/);
  });

  it('groups grantable permissions by module and flags the ones the caller lacks', async () => {
    const ctx = await t.contextFor((await t.createUser({ permissions: ['core.role.manage', 'alpha.item.read'] })).id);
    const groups = await roles.grantable(ctx);
    const alpha = groups.find((g) => g.module === 'alpha')!;
    expect(alpha.permissions.map((p) => [p.name, p.grantable])).to.deep.equal([
      ['alpha.item.read', true],
      ['alpha.item.write', false],
    ]);
    expect(groups.map((g) => g.module)).to.include('core');
  });
});
