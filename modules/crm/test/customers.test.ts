import { expect } from 'chai';
import supertest from 'supertest';
import { ConflictError } from 'tessera/core';
import { ALL_CRM, crmWorld, makeCustomer, uniq, uniqDigits, userWith, bearer, type CrmWorld } from './crm-fixtures';
import { customerSearch, type GroupFilter } from '../../crm/customers/customer-search';
import type { CustomerCriteria } from '../../crm/customers/customer-types';

describe('crm customers @integration', function () {
  let w: CrmWorld;

  before(async () => {
    w = await crmWorld();
  });

  describe('codes', () => {
    it("generates the code in the company's own format from its sequence", async () => {
      await w.t.kernel.settings.set(w.companyId, 'crm', { customer_code_format: 'JW-{seq:6}' });
      const first = await makeCustomer(w);
      const second = await makeCustomer(w);
      expect(first.code).to.match(/^JW-\d{6}$/);
      expect(Number(second.code.slice(3))).to.equal(Number(first.code.slice(3)) + 1);
    });

    it('keeps a code typed by hand, and skips it when the sequence reaches it', async () => {
      const next = Number((await makeCustomer(w)).code.slice(3)) + 1;
      const typed = `JW-${String(next).padStart(6, '0')}`;
      await makeCustomer(w, { code: typed });
      const generated = await makeCustomer(w);
      expect(generated.code).to.not.equal(typed);
      expect(generated.code).to.equal(`JW-${String(next + 1).padStart(6, '0')}`);
    });

    it('refuses a code already used in the company, whatever its case', async () => {
      const code = uniq('DUP-');
      await makeCustomer(w, { code });
      const error = await makeCustomer(w, { code: code.toUpperCase() }).catch((e) => e);
      expect(error.fields).to.deep.equal({ code: 'is already used by another customer' });
    });

    it('lets the code be edited, still unique', async () => {
      const a = await makeCustomer(w);
      const b = await makeCustomer(w);
      const renamed = await w.customers.update(w.ctx, a.id, { code: uniq('NEW-') });
      expect(renamed.code).to.match(/^NEW-/);
      const error = await w.customers.update(w.ctx, b.id, { code: renamed.code }).catch((e) => e);
      expect(error.fields).to.deep.equal({ code: 'is already used by another customer' });
    });

    it('allows the same code in another company', async () => {
      const other = await crmWorld();
      const code = uniq('SAME-');
      await makeCustomer(w, { code });
      const there = await makeCustomer(other, { code });
      expect(there.code).to.equal(code);
    });
  });

  describe('fields', () => {
    it('stores every field and returns it', async () => {
      const c = await makeCustomer(w, {
        first_name: 'Zoë',
        last_name: 'Ölçer',
        phone: '+33 6 11 22 33 44',
        email: 'Zoe@Example.com',
        birthdate: '1988-04-09',
        classification: 'wholesale',
        delivery_route: 'R7',
        tags: ['vip', 'Gold'],
        shop_id: w.shops[1].id,
      });
      const again = await w.customers.get(w.ctx, c.id);
      expect(again).to.include({ first_name: 'Zoë', last_name: 'Ölçer', phone: '+33611223344', email: 'Zoe@Example.com', birthdate: '1988-04-09', classification: 'wholesale', delivery_route: 'R7', shop_id: w.shops[1].id, company_id: w.companyId });
      expect(again.tags).to.deep.equal(['gold', 'vip']);
      expect(again.created_by).to.equal(w.admin.id);
      expect(again.created_at).to.be.a('string');
    });

    it('refuses a shop of another company as if it did not exist', async () => {
      const other = await crmWorld();
      const error = await makeCustomer(w, { shop_id: other.shops[0].id }).catch((e) => e);
      expect(error.fields).to.deep.equal({ shop_id: `shop ${other.shops[0].id} does not exist` });
    });

    it("validates and stores the company's custom fields", async () => {
      const other = await crmWorld();
      await other.t.kernel.settings.set(other.companyId, 'crm', {
        custom_fields: [
          { key: 'loyalty_level', label: 'Loyalty level', type: 'select', options: ['gold', 'silver'], required: true },
          { key: 'newsletter', label: 'Newsletter', type: 'boolean' },
        ],
      });
      const missing = await makeCustomer(other).catch((e) => e);
      expect(missing.fields).to.deep.equal({ 'custom_fields.loyalty_level': 'is required' });
      const c = await makeCustomer(other, { custom_fields: { loyalty_level: 'gold', newsletter: 'yes' } });
      expect(c.custom_fields).to.deep.equal({ loyalty_level: 'gold', newsletter: true });
      const patched = await other.customers.update(other.ctx, c.id, { custom_fields: { newsletter: false } });
      expect(patched.custom_fields).to.deep.equal({ loyalty_level: 'gold', newsletter: false });
    });
  });

  describe('family members', () => {
    it('hangs sub-accounts under a main customer, one level deep', async () => {
      const main = await makeCustomer(w);
      const child = await makeCustomer(w, { parent_id: main.id });
      expect(child.parent_id).to.equal(main.id);
      expect((await w.customers.family(w.ctx, main.id)).map((c) => c.id)).to.deep.equal([child.id]);
      const grandChild = await makeCustomer(w, { parent_id: child.id }).catch((e) => e);
      expect(grandChild.fields.parent_id).to.match(/is itself a family member/);
      const mainUnder = await w.customers.update(w.ctx, main.id, { parent_id: (await makeCustomer(w)).id }).catch((e) => e);
      expect(mainUnder.fields.parent_id).to.match(/has family members of its own/);
      const self = await w.customers.update(w.ctx, main.id, { parent_id: main.id }).catch((e) => e);
      expect(self.fields.parent_id).to.equal('cannot be the customer itself');
    });
  });

  describe('deleting', () => {
    it('deletes a customer nothing uses, with its tags and group memberships', async () => {
      const c = await makeCustomer(w, { tags: ['x'] });
      const group = await w.groups.create(w.ctx, { name: uniq('g'), type: 'customer', customer_ids: [c.id] });
      await w.customers.remove(w.ctx, c.id);
      expect(await w.customers.get(w.ctx, c.id).catch((e) => e.status)).to.equal(404);
      expect(await w.groups.count(w.ctx, group.id)).to.equal(0);
      expect(await w.t.knex('crm_customer_tags').where({ customer_id: c.id })).to.have.length(0);
    });

    it('refuses to delete a main customer while family members hang under it, saying so', async () => {
      const main = await makeCustomer(w);
      await makeCustomer(w, { parent_id: main.id });
      const error = await w.customers.remove(w.ctx, main.id).catch((e) => e);
      expect(error.status).to.equal(409);
      expect(error.message).to.match(/main customer of 1 family member/);
      expect((await w.customers.get(w.ctx, main.id)).id).to.equal(main.id);
    });

    it('asks other modules through the crm.customer.deleting event and keeps the customer when one refuses', async () => {
      const guarded = await makeCustomer(w);
      const guardedIds = (w.t as any).__crmGuarded ?? ((w.t as any).__crmGuarded = new Set<number>());
      if (!(w.t as any).__crmGuardRegistered) {
        (w.t as any).__crmGuardRegistered = true;
        w.t.kernel.events.on('test_schemes', 'crm.customer.deleting', async ({ event }) => {
          if (guardedIds.has(Number(event.payload.customer_id))) throw new ConflictError('Customer has 1 open saving plan in schemes');
        });
      }
      guardedIds.add(guarded.id);
      const error = await w.customers.remove(w.ctx, guarded.id).catch((e) => e);
      expect(error.status).to.equal(409);
      expect(error.message).to.equal('Customer has 1 open saving plan in schemes');
      expect((await w.customers.get(w.ctx, guarded.id)).id).to.equal(guarded.id);

      const token = await w.t.token(w.admin.email);
      const api = await supertest(w.t.app).delete(`/api/v1/crm/customers/${guarded.id}`).set(bearer(token));
      expect(api.status).to.equal(409);
      expect(api.body.error.message).to.equal('Customer has 1 open saving plan in schemes');
    });

    it('needs crm.customer.delete', async () => {
      const c = await makeCustomer(w);
      const { ctx } = await userWith(w, ['crm.customer.write']);
      expect(await w.customers.remove(ctx, c.id).catch((e) => e.status)).to.equal(403);
    });
  });

  describe('audit trail', () => {
    it('records who created and changed what, without search columns', async () => {
      const c = await makeCustomer(w, { phone: '0611111111' });
      await w.customers.update(w.ctx, c.id, { phone: '0622222222', tags: ['new'] });
      const trail = await w.t.container.get<any>(Symbol.for('base.AuditTrail')).forRecord(w.ctx, 'crm_customers', c.id);
      expect(trail.map((e: any) => e.action)).to.deep.equal(['update', 'create']);
      const update = trail[0].changes;
      expect(update).to.deep.include({ field: 'phone', from: '+33611111111', to: '+33622222222' });
      expect(update.map((x: any) => x.field)).to.not.include('phone_norm');
      expect(trail[0].actor_id).to.equal(w.admin.id);
    });
  });

  describe('search', () => {
    let marker: string;
    let phone: string;
    let target: { id: number; code: string };

    before(async () => {
      marker = uniq('mk');
      phone = '07' + uniqDigits(8);
      const c = await makeCustomer(w, { first_name: 'Gérald', last_name: `Dupont${marker}`, phone: phone.replace(/(\d\d)(?=\d)/g, '$1 '), email: `g.${marker}@shop.example`, code: `S-${marker}` });
      target = { id: c.id, code: c.code };
    });

    const ids = async (q: string) => (await w.customers.search(w.ctx, { q })).data.map((c) => c.id);

    it('finds a customer by a prefix of the phone, typed with or without separators', async () => {
      expect(await ids(phone.slice(0, 7))).to.include(target.id);
      expect(await ids(`${phone.slice(0, 2)} ${phone.slice(2, 4)}-${phone.slice(4, 8)}`)).to.include(target.id);
    });

    it('finds by a prefix of the first name, the last name or either full name, without accents or case', async () => {
      expect(await ids(`dupont${marker}`.slice(0, 10))).to.include(target.id);
      expect(await ids(`DUPONT${marker} GER`)).to.include(target.id);
      expect(await ids(`gerald dupont${marker}`)).to.include(target.id);
    });

    it('finds by a prefix of the code or the e-mail', async () => {
      expect(await ids(`s-${marker}`)).to.deep.equal([target.id]);
      expect(await ids(`G.${marker}@`)).to.deep.equal([target.id]);
    });

    it('matches prefixes only, and treats LIKE wildcards as text', async () => {
      expect(await ids(marker)).to.not.include(target.id);
      expect(await ids('%')).to.deep.equal([]);
      expect(await ids('_')).to.deep.equal([]);
    });

    it('filters by shop, tag, birthday month and creation dates, and combines them with the search', async () => {
      const tag = uniq('t');
      const inB = await makeCustomer(w, { shop_id: w.shops[1].id, tags: [tag], birthdate: '1990-11-05', last_name: `Filt${marker}` });
      const inA = await makeCustomer(w, { shop_id: w.shops[0].id, tags: [tag], birthdate: '1990-10-05', last_name: `Filt${marker}` });
      const q = `filt${marker}`;
      const found = async (criteria: object) => (await w.customers.search(w.ctx, { q, ...criteria })).data.map((c) => c.id).sort();
      expect(await found({})).to.deep.equal([inB.id, inA.id].sort());
      expect(await found({ shop_ids: [w.shops[1].id] })).to.deep.equal([inB.id]);
      expect(await found({ birth_month: 10 })).to.deep.equal([inA.id]);
      expect((await w.customers.search(w.ctx, { tag })).data.map((c) => c.id).sort()).to.deep.equal([inB.id, inA.id].sort());
      const today = new Date().toISOString().slice(0, 10);
      expect(await found({ created_from: today, created_to: today })).to.have.length(2);
      expect(await found({ created_to: '2000-01-01' })).to.deep.equal([]);
    });

    it('sorts and pages by keyset with no row lost or repeated', async () => {
      const family = uniq('Page');
      const made = [];
      for (let i = 0; i < 7; i++) made.push(await makeCustomer(w, { last_name: family, first_name: `N${i}` }));
      for (const sort of ['name', '-name', 'created', '-created', 'code'] as const) {
        const seen: number[] = [];
        let after: string | null = null;
        do {
          const page: Awaited<ReturnType<typeof w.customers.search>> = await w.customers.search(w.ctx, { q: family }, { sort, limit: 3, after });
          expect(page.data.length).to.be.at.most(3);
          seen.push(...page.data.map((c) => c.id));
          after = page.next_cursor;
        } while (after);
        expect(seen.slice().sort()).to.deep.equal(made.map((c) => c.id).sort());
        if (sort === 'created') expect(seen).to.deep.equal(made.map((c) => c.id));
        if (sort === '-created') expect(seen).to.deep.equal(made.map((c) => c.id).reverse());
        if (sort === 'name') expect(seen).to.deep.equal(made.map((c) => c.id));
      }
      // Without a search too: the plain list pages the same way.
      const first = await w.customers.search(w.ctx, {}, { sort: 'name', limit: 2 });
      const second = await w.customers.search(w.ctx, {}, { sort: 'name', limit: 2, after: first.next_cursor });
      expect(second.data.map((c) => c.id)).to.not.include.members(first.data.map((c) => c.id));
    });

    it('pages the customers of every company a user sees as one list, in order, none lost or repeated', async () => {
      const [one, two] = [await crmWorld(), await crmWorld()];
      const both = await one.t.createUser({ permissions: ALL_CRM, companyIds: [one.companyId, two.companyId] });
      const ctx = await one.t.contextFor(both.id, one.companyId);
      const family = uniq('Multi');
      const tag = uniq('mc');
      const made = [];
      for (let i = 0; i < 6; i++) {
        const world = i % 2 ? two : one;
        made.push(await makeCustomer(world, { last_name: family, first_name: `M${i}`, shop_id: world.shops[0].id, tags: [tag] }));
      }
      for (const criteria of [{ q: family }, { tag }]) {
        for (const sort of ['name', '-created'] as const) {
          for (const drive of ['auto', 'order', 'filter'] as const) {
            const seen: number[] = [];
            let after: string | null = null;
            do {
              const search = customerSearch(ctx.db, criteria, { sort, limit: 4, after, drive });
              const page = search.page(await search.query);
              seen.push(...page.rows.map((r) => Number(r.id)));
              after = page.next_cursor;
            } while (after);
            const expected = made.map((c) => c.id);
            expect(seen, `${JSON.stringify(criteria)} by ${sort}, ${drive} drive`).to.deep.equal(sort === 'name' ? expected : expected.reverse());
          }
        }
      }
    });

    it('returns the same rows whichever way the database is driven (sort order first or filter first)', async () => {
      const local = await crmWorld();
      const tag = uniq('drv');
      const made = [];
      for (let i = 0; i < 9; i++) made.push(await makeCustomer(local, { shop_id: local.shops[i % 2].id, tags: i % 3 ? [tag] : [], first_name: `D${i}` }));
      const byShop = await local.groups.create(local.ctx, { name: uniq('g'), type: 'shop', shop_ids: [local.shops[0].id, local.shops[1].id] });
      const byCustomer = await local.groups.create(local.ctx, { name: uniq('g'), type: 'customer', customer_ids: made.slice(0, 5).map((c) => c.id) });
      const cases: Array<[CustomerCriteria, GroupFilter | undefined]> = [
        [{ tag }, undefined],
        [{ shop_ids: [local.shops[0].id, local.shops[1].id] }, undefined],
        [{}, { id: byShop.id, type: 'shop' }],
        [{ tag }, { id: byCustomer.id, type: 'customer' }],
      ];
      for (const [criteria, group] of cases) {
        for (const sort of ['name', '-created'] as const) {
          const results: number[][] = [];
          for (const drive of ['auto', 'order', 'filter'] as const) {
            const ids: number[] = [];
            let after: string | null = null;
            do {
              const search = customerSearch(local.ctx.db, criteria, { sort, limit: 2, after, group, drive });
              const page = search.page(await search.query);
              ids.push(...page.rows.map((r) => Number(r.id)));
              after = page.next_cursor;
            } while (after);
            results.push(ids);
          }
          expect(results[1], `order drive, ${JSON.stringify(criteria)} ${sort}`).to.deep.equal(results[0]);
          expect(results[2], `filter drive, ${JSON.stringify(criteria)} ${sort}`).to.deep.equal(results[0]);
          expect(results[0].length).to.be.greaterThan(0);
        }
      }
    });

    it("never shows another company's customers", async () => {
      const other = await crmWorld();
      const theirs = await makeCustomer(other, { last_name: `Hidden${marker}`, phone: '0799' + uniqDigits(6) });
      expect(await ids(`hidden${marker}`)).to.deep.equal([]);
      expect(await w.customers.get(w.ctx, theirs.id).catch((e) => e.status)).to.equal(404);
      expect(await w.customers.update(w.ctx, theirs.id, { first_name: 'X' }).catch((e) => e.status)).to.equal(404);
      expect(await w.customers.remove(w.ctx, theirs.id).catch((e) => e.status)).to.equal(404);
      const token = await w.t.token(w.admin.email);
      const res = await supertest(w.t.app).get(`/api/v1/crm/customers/${theirs.id}`).set(bearer(token));
      expect(res.status).to.equal(404);
      const list = await supertest(w.t.app).get('/api/v1/crm/customers').query({ q: `hidden${marker}` }).set(bearer(token));
      expect(list.body.data).to.deep.equal([]);
      const asParent = await makeCustomer(w, { parent_id: theirs.id }).catch((e) => e);
      expect(asParent.fields.parent_id).to.match(/does not exist/);
    });
  });

  describe('login details', () => {
    it('are shown only to holders of crm.customer.login_details, in the API and on the page', async () => {
      const username = uniq('online.');
      const c = await makeCustomer(w, { login: { username, password: 'a-secret-password' } });
      expect(c.login).to.deep.include({ username, has_password: true, last_login_at: null });

      const reader = await userWith(w, ['crm.customer.read']);
      const viaService = await w.customers.get(reader.ctx, c.id);
      expect(viaService).to.not.have.property('login');

      const readerToken = await w.t.token(reader.user.email);
      const api = await supertest(w.t.app).get(`/api/v1/crm/customers/${c.id}`).set(bearer(readerToken)).expect(200);
      expect(api.body).to.not.have.property('login');
      expect(JSON.stringify(api.body)).to.not.contain(username);

      const agent = await w.t.login(reader.user.email, reader.user.password);
      const page = await agent.get(`/crm/customers/${c.id}`).expect(200);
      expect(page.text).to.contain(c.code);
      expect(page.text).to.not.contain(username);
      expect(page.text).to.not.contain('Online account');

      const adminToken = await w.t.token(w.admin.email);
      const full = await supertest(w.t.app).get(`/api/v1/crm/customers/${c.id}`).set(bearer(adminToken)).expect(200);
      expect(full.body.login).to.deep.include({ username, has_password: true });
      expect(JSON.stringify(full.body)).to.not.match(/scrypt|password_hash/);
      const adminPage = await (await w.t.login(w.admin.email, w.admin.password)).get(`/crm/customers/${c.id}`).expect(200);
      expect(adminPage.text).to.contain(username);
    });

    it('cannot be set or changed without the permission', async () => {
      const writer = await userWith(w, ['crm.customer.write']);
      const error = await makeCustomer(w, { login: { username: uniq('u.') } }, writer.ctx).catch((e) => e);
      expect(error.status).to.equal(403);
      const c = await makeCustomer(w, {}, writer.ctx);
      expect(await w.customers.update(writer.ctx, c.id, { login: null }).catch((e) => e.status)).to.equal(403);
    });

    it('keeps the username out of the customer audit trail', async () => {
      const username = uniq('trail.');
      const c = await makeCustomer(w, { login: { username } });
      await w.customers.update(w.ctx, c.id, { login: { username: username + 'x' } });
      const rows = await w.t.knex('core_audit_log').where({ record_table: 'crm_customers', record_id: c.id });
      expect(JSON.stringify(rows)).to.not.contain(username);
    });

    it('refuses a username another customer of the company has', async () => {
      const username = uniq('taken.');
      await makeCustomer(w, { login: { username } });
      const error = await makeCustomer(w, { login: { username } }).catch((e) => e);
      expect(error.fields).to.deep.equal({ 'login.username': 'is already used by another customer' });
    });
  });
});
