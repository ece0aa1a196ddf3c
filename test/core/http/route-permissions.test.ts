import { expect } from 'chai';
import { startTestApp, TestApp, TestAgent } from '../../support/harness';
import { AUTHENTICATED } from '../../../core/modules/module-api';
import { RouteTable } from '../../../core/http/route-table';
import { PermissionCatalog } from '../../../core/security/permission-catalog';

/**
 * Deny by default, proven over every route every installed module declares: a user who holds every
 * permission except the one a route names gets 403 from it.
 */
describe('route permissions (all installed modules)', function () {
  this.timeout(120_000);
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });

  it('refuses to declare a route without a permission, or with one nobody declares', () => {
    const table = new RouteTable(() => new PermissionCatalog([]));
    const handler = async () => ({ view: 'x' });
    expect(() => table.addPage('demo', { method: 'GET', path: '/demo', permission: '', handler })).to.throw(/declares no permission/);
    expect(() => table.addPage('demo', { method: 'GET', path: '/demo', permission: 'demo.nothing.read', handler })).to.throw(/no installed module declares/);
    expect(() => table.addApi('demo', { method: 'GET', path: '/x', permission: undefined as any, summary: 'x', handler: async () => ({}) })).to.throw(/declares no permission/);
  });

  it('opens a page to strangers only when it says why and carries a token in its path', () => {
    const table = new RouteTable(() => new PermissionCatalog([]));
    const handler = async () => ({ view: 'x' });
    expect(() => table.addPublicPage('demo', { method: 'GET', path: '/w/:token', reason: '', handler })).to.throw(/gives no reason/);
    expect(() => table.addPublicPage('demo', { method: 'GET', path: '/everything', reason: 'a landing page', handler })).to.throw(/must carry the token/);
    expect(() => table.addPublicPage('demo', { method: 'GET', path: '/api/v1/w/:token', reason: 'a card', handler })).to.throw(/not with \/api\//);
    table.addPublicPage('demo', { method: 'GET', path: '/w/:token', reason: "the customer's card", handler });
    expect(table.publics.map((r) => r.path)).to.deep.equal(['/w/:token']);
    for (const route of t.kernel.routes.publics) expect(route.reason, `${route.method} ${route.path}`).to.be.a('string').and.not.equal('');
  });

  it('has a permission on every declared route', () => {
    const routes = [...t.kernel.routes.pages, ...t.kernel.routes.apis];
    expect(routes.length).to.be.greaterThan(10);
    for (const route of routes) expect(route.permission, `${route.method} ${route.path}`).to.be.a('string').and.not.equal('');
  });

  it('answers 403 on every route to a user lacking just the permission that route names', async () => {
    const catalog = t.kernel.catalog;
    const everything = catalog.all().map((p) => p.name);
    const needed = new Set([...t.kernel.routes.pages, ...t.kernel.routes.apis].map((r) => r.permission).filter((p) => p !== AUTHENTICATED));
    const failures: string[] = [];
    let checked = 0;
    for (const permission of needed) {
      // Everything except this permission and whatever would imply it.
      const held = everything.filter((p) => !catalog.expand([p]).has(permission));
      const user = await t.createUser({ permissions: held });
      const token = await t.token(user.email);
      let agent: TestAgent | null = null;
      for (const route of t.kernel.routes.apis.filter((r) => r.permission === permission)) {
        const path = route.expressPath.replace(/:(\w+)/g, '1');
        const res = await t.request()[route.method.toLowerCase() as 'get'](path).set('Authorization', `Bearer ${token}`).send(route.rawBody ? '' : {});
        checked++;
        if (res.status !== 403) failures.push(`${route.method} ${path} (${permission}) answered ${res.status}`);
      }
      for (const route of t.kernel.routes.pages.filter((r) => r.permission === permission)) {
        agent ??= await t.login(user.email, user.password);
        const path = route.path.replace(/:(\w+)/g, '1');
        const res = route.method === 'GET' ? await agent.get(path) : await agent.post(path, {});
        checked++;
        if (res.status !== 403) failures.push(`${route.method} ${path} (${permission}) answered ${res.status}`);
      }
    }
    expect(failures).to.deep.equal([]);
    expect(checked).to.be.greaterThan(10);
  });

  it('answers 401 on every API route and sends pages to sign-in without credentials', async () => {
    for (const route of t.kernel.routes.apis) {
      const res = await t.request()[route.method.toLowerCase() as 'get'](route.expressPath.replace(/:(\w+)/g, '1'));
      expect(res.status, `${route.method} ${route.expressPath}`).to.equal(401);
    }
    for (const route of t.kernel.routes.pages.filter((r) => r.method === 'GET')) {
      const res = await t.request().get(route.path.replace(/:(\w+)/g, '1'));
      expect(res.status, route.path).to.equal(302);
      expect(res.headers.location).to.match(/^\/login/);
    }
  });
});
