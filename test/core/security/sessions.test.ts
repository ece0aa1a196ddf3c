import { expect } from 'chai';
import supertest from 'supertest';
import { startFixtureApp } from '../../support/fixture-app';
import { csrfFrom, TestApp } from '../../support/harness';

describe('sessions and sign-in', () => {
  let t: TestApp;
  before(async () => {
    t = await startFixtureApp();
  });
  after(() => t.close());

  it('sends a visitor without a session to the sign-in page, keeping where they were going', async () => {
    const res = await t.request().get('/alpha?x=1').expect(302);
    expect(res.headers.location).to.equal('/login?next=%2Falpha%3Fx%3D1');
  });

  it('keeps sessions in the database, not in process memory', async () => {
    const before = Number((await t.knex('core_sessions').count({ n: '*' }).first())!.n);
    await t.login(t.admin.email, t.admin.password);
    const after = Number((await t.knex('core_sessions').count({ n: '*' }).first())!.n);
    expect(after).to.be.greaterThan(before);
    const row = await t.knex('core_sessions').orderBy('expired', 'desc').first();
    expect(JSON.parse(row.sess)).to.have.property('userId');
  });

  it('gives a new session id at sign-in, so a planted id is worthless', async () => {
    const agent = supertest.agent(t.app);
    const form = await agent.get('/login');
    const planted = cookieOf(form.headers['set-cookie']);
    const res = await agent.post('/login').type('form').send({ email: t.admin.email, password: t.admin.password, _csrf: csrfFrom(form.text) }).expect(302);
    expect(cookieOf(res.headers['set-cookie'])).to.be.a('string').and.not.equal(planted);
  });

  it('answers a wrong password with the form again and a 401, naming no field it should not', async () => {
    const agent = supertest.agent(t.app);
    const form = await agent.get('/login');
    const res = await agent.post('/login').type('form').send({ email: t.admin.email, password: 'wrong-password', _csrf: csrfFrom(form.text) }).expect(401);
    expect(res.text).to.contain('E-mail or password is wrong.');
  });

  it('throttles repeated failures for one e-mail with 429, counted in the database', async () => {
    const user = await t.createUser({ permissions: [] });
    const agent = supertest.agent(t.app);
    const form = await agent.get('/login');
    const token = csrfFrom(form.text);
    for (let i = 0; i < 5; i++) await agent.post('/login').type('form').send({ email: user.email, password: 'nope-nope', _csrf: token }).expect(401);
    const blocked = await agent.post('/login').type('form').send({ email: user.email, password: user.password, _csrf: token });
    expect(blocked.status).to.equal(429);
    expect(blocked.text).to.match(/Too many failed sign-ins/);
  });

  it('signs out: the session is destroyed and pages ask to sign in again', async () => {
    const agent = await t.login(t.admin.email, t.admin.password);
    await agent.get('/alpha').expect(200);
    await agent.post('/logout').expect(302);
    await agent.get('/alpha').expect(302);
  });

  it('lets a user change their password when the current one matches', async () => {
    const user = await t.createUser({ permissions: [] });
    const ctx = await t.contextFor(user.id);
    const users = t.kernel.container.get<any>(Symbol.for('core.Users'));
    await users.changeOwnPassword(ctx, 'not-the-password', 'new-password-1').then(
      () => expect.fail('accepted a wrong current password'),
      (error: any) => expect(error.fields).to.have.property('current_password'),
    );
    await users.changeOwnPassword(ctx, user.password, 'new-password-1');
    await t.login(user.email, 'new-password-1');
  });

  it('sets secure headers on every answer', async () => {
    const res = await t.request().get('/login');
    expect(res.headers['content-security-policy']).to.contain("script-src 'self'");
    expect(res.headers['x-frame-options']).to.equal('SAMEORIGIN');
    expect(res.headers['x-content-type-options']).to.equal('nosniff');
    expect(res.headers).not.to.have.property('x-powered-by');
  });
});

function cookieOf(setCookie: string[] | string | undefined): string | undefined {
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  return list.find((c) => c.startsWith('tessera.sid='))?.split(';')[0];
}
