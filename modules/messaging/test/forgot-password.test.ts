import { expect } from 'chai';
import supertest from 'supertest';
import { csrfFrom, type TestUser } from 'tessera/testing';
import { messagingWorld, type MessagingWorld } from './messaging-fixtures';
import { startSmtp } from './local-servers';

/** The sign-in page's "forgot password", its link sent through messaging's e-mail channel to a real SMTP server. */
describe('messaging forgot password: a reset link by e-mail @integration', () => {
  let w: MessagingWorld;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let user: TestUser;

  before(async function () {
    this.timeout(120_000);
    smtp = await startSmtp();
    w = await messagingWorld();
    await w.t.container.get<any>(Symbol.for('messaging.channel')).create(w.ctx, { channel: 'email', endpoint: '127.0.0.1', port: smtp.port, username: 'mailer', secret: 'smtp-secret', sender: 'noreply@shop.test' });
    user = await w.t.createUser({ permissions: [], companyIds: [w.companyId] });
  });
  after(() => smtp.close());

  /** A visitor with a session of its own (CSRF token from the form). */
  async function visitor() {
    const agent = supertest.agent(w.t.app);
    const form = await agent.get('/password/forgot').expect(200);
    const csrf = csrfFrom(form.text);
    return {
      form,
      ask: (email: string) => agent.post('/password/forgot').type('form').send({ email, _csrf: csrf }),
      open: (link: string) => agent.get(link.replace(/^https?:\/\/[^/]+/, '')),
      reset: (token: string, password: string, confirm = password) => agent.post('/password/reset').type('form').send({ token, password, confirm_password: confirm, _csrf: csrf }),
    };
  }
  const mailsTo = (email: string) => smtp.messages.filter((m) => m.to.includes(email));
  const linkIn = (raw: string) => {
    const text = raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex) => String.fromCharCode(parseInt(hex, 16)));
    return text.match(/href="([^"]+\/password\/reset\?token=[^"]+)"/)![1].replace(/&amp;/g, '&');
  };
  const tokenOf = (link: string) => new URL(link).searchParams.get('token')!;
  const canSignIn = async (email: string, password: string) => {
    const agent = supertest.agent(w.t.app);
    const csrf = csrfFrom((await agent.get('/login')).text);
    return (await agent.post('/login').type('form').send({ email, password, _csrf: csrf })).status === 302;
  };

  it('is offered on the sign-in page and answers the same whether the address is an account or not', async () => {
    expect((await supertest(w.t.app).get('/login')).text).to.contain('href="/password/forgot"');
    const v = await visitor();
    expect(v.form.text).to.contain('name="email"');
    const known = await v.ask(user.email.toUpperCase());
    const unknown = await v.ask('nobody-here@tessera.test');
    const strip = (html: string) => html.replace(/(content|value)="[^"]*"/g, '');
    expect(known.status).to.equal(200);
    expect(unknown.status).to.equal(known.status);
    expect(strip(unknown.text)).to.equal(strip(known.text));
    expect(known.text).to.contain('If an account uses this address');
    await w.t.drainJobs();
    expect(mailsTo(user.email)).to.have.length(1);
    expect(mailsTo('nobody-here@tessera.test')).to.have.length(0);
    expect(mailsTo(user.email)[0].raw).to.contain('Subject: Choose a new password');
  });

  it('sets the new password once with the link, audited, and the link then stops working', async () => {
    const link = linkIn(mailsTo(user.email)[0].raw);
    const v = await visitor();
    const form = await v.open(link);
    expect(form.status).to.equal(200);
    expect(form.text).to.contain('name="token"').and.not.contain('data-reset="invalid"');
    const mismatch = await v.reset(tokenOf(link), 'new-password-1', 'new-password-2');
    expect(mismatch.status).to.equal(422);
    expect(mismatch.text).to.contain('does not match the new password');
    const done = await v.reset(tokenOf(link), 'new-password-1');
    expect(done.status).to.equal(302);
    expect(done.headers.location).to.equal('/login');
    expect(await canSignIn(user.email, 'new-password-1')).to.equal(true);
    expect(await canSignIn(user.email, user.password)).to.equal(false);
    user.password = 'new-password-1';
    const again = await v.reset(tokenOf(link), 'third-password-3');
    expect(again.status).to.equal(410);
    expect(again.text).to.contain('data-reset="invalid"');
    expect((await v.open(link)).text).to.contain('data-reset="invalid"');
    const audit = await w.t.knex('core_audit_log').where({ record_table: 'core_users', record_id: user.id, action: 'password_reset' });
    expect(audit).to.have.length(1);
    expect(audit[0]).to.include({ actor_id: user.id, company_id: w.companyId });
    expect(audit[0].changes).to.contain('reset link').and.not.contain('new-password');
  });

  it('refuses an expired link', async () => {
    const before = mailsTo(user.email).length;
    await (await visitor()).ask(user.email);
    await w.t.drainJobs();
    const link = linkIn(mailsTo(user.email)[before].raw);
    await w.t.knex('core_password_resets').whereNotNull('token_hash').whereNull('used_at').update({ expires_at: new Date(Date.now() - 1000) });
    const v = await visitor();
    expect((await v.open(link)).text).to.contain('data-reset="invalid"');
    expect((await v.reset(tokenOf(link), 'expired-password')).status).to.equal(410);
    expect(await canSignIn(user.email, 'expired-password')).to.equal(false);
  });

  it('sends at most three links an hour per address, and using one stops the others', async () => {
    const other = await w.t.createUser({ permissions: [], companyIds: [w.companyId] });
    const v = await visitor();
    for (let i = 0; i < 4; i++) expect((await v.ask(other.email)).text).to.contain('If an account uses this address');
    await w.t.drainJobs();
    const links = mailsTo(other.email).map((m) => linkIn(m.raw));
    expect(links).to.have.length(3);
    expect((await v.reset(tokenOf(links[1]), 'other-password-1')).status).to.equal(302);
    for (const link of [links[0], links[2]]) expect((await v.reset(tokenOf(link), 'other-password-2')).status).to.equal(410);
    expect(await canSignIn(other.email, 'other-password-1')).to.equal(true);
  });

  it('sends once when the job runs twice', async () => {
    const third = await w.t.createUser({ permissions: [], companyIds: [w.companyId] });
    await w.t.kernel.passwordResets.request(third.email, '10.0.0.9', 'http://erp.test');
    const row = await w.t.knex('core_password_resets').where({ email: third.email }).first();
    const runs = await Promise.all([w.t.kernel.passwordResets.send(row.id), w.t.kernel.passwordResets.send(row.id)]);
    await w.t.drainJobs();
    expect(runs.filter((r) => r.sent)).to.have.length(1);
    expect(mailsTo(third.email)).to.have.length(1);
    expect(linkIn(mailsTo(third.email)[0].raw)).to.match(/^http:\/\/erp\.test\/password\/reset\?token=/);
  });
});
