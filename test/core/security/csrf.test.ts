import { expect } from 'chai';
import { startFixtureApp } from '../../support/fixture-app';
import type { TestApp } from '../../support/harness';

describe('CSRF protection', () => {
  let t: TestApp;
  before(async () => {
    t = await startFixtureApp();
  });
  after(() => t.close());

  it('refuses a signed-in form post without the token, and accepts it with the token', async () => {
    const agent = await t.login(t.admin.email, t.admin.password);
    const forged = await agent.raw.post('/logout').type('form').send({});
    expect(forged.status).to.equal(403);
    await agent.get('/alpha').expect(200);
    await agent.post('/logout').expect(302);
  });

  it('refuses a JSON write over the session cookie without the x-csrf-token header', async () => {
    const agent = await t.login(t.admin.email, t.admin.password);
    await agent.api('post', '/api/v1/alpha/items', { name: 'with header' }).expect(201);
    const forged = await agent.get('/').then(() => agent.api('post', '/api/v1/alpha/items', { name: 'x' }).set('x-csrf-token', 'forged'));
    expect(forged.status).to.equal(403);
    expect(forged.body.error.code).to.equal('csrf_invalid');
  });

  it('does not ask bearer-token clients for a CSRF token', async () => {
    const token = await t.token(t.admin.email);
    await t.request().post('/api/v1/alpha/items').set('Authorization', `Bearer ${token}`).send({ name: 'via token' }).expect(201);
  });
});
