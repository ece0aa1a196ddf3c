import { expect } from 'chai';
import type { TestApp } from 'tessera/testing';
import { baseTestApp } from './base-test-app';

/** The shell around every page: who is signed in, which company, and forms that report every wrong field. */
describe('base: the shell and the account forms', () => {
  let t: TestApp;

  before(async () => {
    t = await baseTestApp();
  });

  const menuOf = (html: string) => html.slice(html.indexOf('<details class="user-menu">'), html.indexOf('</details>'));

  it("shows the signed-in user in the header on another user's page", async () => {
    const other = await t.createUser({ permissions: ['base.shop.read'] });
    const admin = await t.login(t.admin.email, t.admin.password);
    const page = await admin.get(`/admin/users/${other.id}`).expect(200);
    expect(page.text).to.contain(other.email);
    expect(menuOf(page.text)).to.contain(t.admin.email);
    expect(menuOf(page.text)).not.to.contain(other.email);
  });

  it('shows the company switcher only to users of several companies', async () => {
    const one = await t.createUser({ permissions: [] });
    const two = await t.createUser({ permissions: [], companyIds: [t.companyId, t.otherCompanyId] });
    const single = await (await t.login(one.email, one.password)).get('/').expect(200);
    expect(single.text).not.to.contain('class="company-switcher"');
    expect(single.text).to.contain('class="company-name"');
    const several = await (await t.login(two.email, two.password)).get('/').expect(200);
    expect(several.text).to.contain('class="company-switcher"');
  });

  it('flags a wrong current password together with the other wrong fields', async () => {
    const user = await t.createUser({ permissions: [] });
    const agent = await t.login(user.email, user.password);
    const res = await agent.post('/account/password', { current_password: 'not-my-password', new_password: 'short', confirm_password: 'other' }).expect(422);
    expect(res.text).to.match(/id="field-current_password-error"[^>]*>does not match your password</);
    expect(res.text).to.match(/id="field-new_password-error"[^>]*>must be at least 8 characters</);
    expect(res.text).to.match(/id="field-confirm_password-error"[^>]*>does not match the new password</);
  });
});
