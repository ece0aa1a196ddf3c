import { expect } from 'chai';
import supertest from 'supertest';
import { startFixtureApp } from '../../support/fixture-app';
import { csrfFrom, type TestApp } from '../../support/harness';
import { CORE } from '../../../core/kernel/identifiers';
import { PasswordResetService, TooManyResetRequestsError, type ResetLinkMessage, type ResetLinkSender } from '../../../core/security/password-reset';

/** Core's half of "forgot password", apart from any module that sends the links. */
describe('password reset (core)', () => {
  let t: TestApp;
  before(async function () {
    this.timeout(60_000);
    t = await startFixtureApp();
  });
  after(() => t.close());

  it('says to ask an administrator when no installed module sends the links, and records nothing', async () => {
    const agent = supertest.agent(t.app);
    const page = await agent.get('/password/forgot').expect(200);
    expect(page.text).to.contain('data-reset="unavailable"').and.contain('Ask an administrator');
    const posted = await agent.post('/password/forgot').type('form').send({ email: t.admin.email, _csrf: csrfFrom(page.text) });
    expect(posted.status).to.equal(200);
    expect(posted.text).to.contain('data-reset="unavailable"');
    expect(await t.knex('core_password_resets').count({ n: '*' }).first()).to.satisfy((r: any) => Number(r.n) === 0);
  });

  describe('with a sender bound', () => {
    const sent: ResetLinkMessage[] = [];
    const sender: ResetLinkSender = { send: async (m) => (sent.push(m), { sent: true }) };
    before(() => {
      t.container.bind(CORE.ResetLinkSender).toConstantValue(sender);
    });
    after(() => {
      t.container.unbind(CORE.ResetLinkSender);
    });
    const service = (limits = { ttlMinutes: 30, perAccountPerHour: 3, perAddressPerHour: 2 }) => new PasswordResetService(t.knex, t.container, CORE.ResetLinkSender, t.kernel.queue, t.kernel.audit, limits);

    it('refuses a network address past its hourly limit, whatever the e-mail (429)', async () => {
      const resets = service();
      await resets.request('a@x.test', '10.9.9.9', 'http://erp.test');
      await resets.request('b@x.test', '10.9.9.9', 'http://erp.test');
      let refused: unknown = null;
      await resets.request('c@x.test', '10.9.9.9', 'http://erp.test').catch((e) => (refused = e));
      expect(refused).to.be.instanceOf(TooManyResetRequestsError);
      expect((refused as TooManyResetRequestsError).status).to.equal(429);
      await resets.request('c@x.test', '10.9.9.10', 'http://erp.test');
    });

    it('sends nothing to a disabled account, and the token is kept only as its hash', async () => {
      const off = await t.createUser({ permissions: [] });
      await t.knex('core_users').where({ id: off.id }).update({ is_active: false });
      const on = await t.createUser({ permissions: [] });
      const resets = service({ ttlMinutes: 30, perAccountPerHour: 3, perAddressPerHour: 100 });
      await resets.request(off.email, '10.8.8.8', 'http://erp.test/');
      await resets.request(on.email, '10.8.8.8', 'http://erp.test/');
      await t.drainJobs();
      expect(sent.map((m) => m.email)).to.include(on.email).and.not.include(off.email);
      const message = sent.find((m) => m.email === on.email)!;
      expect(message.link).to.match(/^http:\/\/erp\.test\/password\/reset\?token=[A-Za-z0-9_-]{43}$/);
      expect(message.companyIds).to.deep.equal([t.companyId]);
      const token = new URL(message.link).searchParams.get('token')!;
      const row = await t.knex('core_password_resets').where({ email: on.email }).first();
      expect(JSON.stringify(row)).not.to.contain(token);
      expect(await resets.valid(token)).to.equal(true);
      const jobs = JSON.stringify(await t.knex('core_jobs').where('name', 'core.password_reset').select('data', 'result'));
      expect(jobs).not.to.contain(token);
    });
  });
});
