import { expect } from 'chai';
import supertest from 'supertest';
import { bearer, crmWorld, makeCustomer, uniq, userWith, type CrmWorld } from './crm-fixtures';

describe('crm customer groups @integration', function () {
  let w: CrmWorld;

  before(async () => {
    w = await crmWorld();
  });

  describe('by shop', () => {
    it('holds the customers of its shops, including a customer created after the group', async () => {
      const before = await makeCustomer(w, { shop_id: w.shops[0].id });
      const elsewhere = await makeCustomer(w, { shop_id: w.shops[1].id });
      const group = await w.groups.create(w.ctx, { name: uniq('Shop A '), type: 'shop', shop_ids: [w.shops[0].id] });
      const later = await makeCustomer(w, { shop_id: w.shops[0].id });

      expect(await w.groups.isMember(w.ctx, group.id, before.id)).to.equal(true);
      expect(await w.groups.isMember(w.ctx, group.id, later.id)).to.equal(true);
      expect(await w.groups.isMember(w.ctx, group.id, elsewhere.id)).to.equal(false);
      const members = await w.groups.members(w.ctx, group.id, { limit: 1000 });
      expect(members.data.map((m) => m.id)).to.include.members([before.id, later.id]).and.not.include(elsewhere.id);
      // Derived, not copied: nothing was written for the members.
      expect(await w.t.knex('crm_group_members').where({ group_id: group.id })).to.have.length(0);
    });

    it('loses a customer moved to another shop, and gains one moved in', async () => {
      const group = await w.groups.create(w.ctx, { name: uniq('Shop A '), type: 'shop', shop_ids: [w.shops[0].id] });
      const c = await makeCustomer(w, { shop_id: w.shops[0].id });
      expect(await w.groups.isMember(w.ctx, group.id, c.id)).to.equal(true);
      await w.customers.update(w.ctx, c.id, { shop_id: w.shops[1].id });
      expect(await w.groups.isMember(w.ctx, group.id, c.id)).to.equal(false);
      expect((await w.groups.groupsOf(w.ctx, c.id)).map((g) => g.id)).to.not.include(group.id);
      await w.customers.update(w.ctx, c.id, { shop_id: w.shops[0].id });
      expect(await w.groups.isMember(w.ctx, group.id, c.id)).to.equal(true);
    });

    it('follows a change of its shops', async () => {
      const c = await makeCustomer(w, { shop_id: w.shops[1].id });
      const group = await w.groups.create(w.ctx, { name: uniq('Grow '), type: 'shop', shop_ids: [w.shops[0].id] });
      expect(await w.groups.isMember(w.ctx, group.id, c.id)).to.equal(false);
      const updated = await w.groups.update(w.ctx, group.id, { shop_ids: [w.shops[0].id, w.shops[1].id] });
      expect(updated.shop_ids).to.have.members([w.shops[0].id, w.shops[1].id]);
      expect(await w.groups.isMember(w.ctx, group.id, c.id)).to.equal(true);
    });

    it('needs at least one shop of its own company, and takes no explicit customers', async () => {
      const other = await crmWorld();
      const none = await w.groups.create(w.ctx, { name: uniq('x'), type: 'shop', shop_ids: [] }).catch((e) => e);
      expect(none.fields).to.deep.equal({ shop_ids: 'choose at least one shop' });
      const foreign = await w.groups.create(w.ctx, { name: uniq('x'), type: 'shop', shop_ids: [other.shops[0].id] }).catch((e) => e);
      expect(foreign.fields).to.deep.equal({ shop_ids: `shop ${other.shops[0].id} does not exist` });
      const c = await makeCustomer(w);
      const mixed = await w.groups.create(w.ctx, { name: uniq('x'), type: 'shop', shop_ids: [w.shops[0].id], customer_ids: [c.id] }).catch((e) => e);
      expect(mixed.fields).to.have.property('customer_ids');
    });

    it('pages and streams every member exactly once, across shops', async () => {
      const name = uniq('Both ');
      const local = await crmWorld();
      const made = [];
      for (let i = 0; i < 7; i++) made.push(await makeCustomer(local, { shop_id: local.shops[i % 2].id }));
      const group = await local.groups.create(local.ctx, { name, type: 'shop', shop_ids: [local.shops[0].id, local.shops[1].id] });
      const paged: number[] = [];
      let after: string | null = null;
      do {
        const page: Awaited<ReturnType<typeof local.groups.members>> = await local.groups.members(local.ctx, group.id, { limit: 3, after });
        paged.push(...page.data.map((m) => m.id));
        after = page.next_cursor;
      } while (after);
      expect(paged.slice().sort()).to.deep.equal(made.map((c) => c.id).sort());
      const streamed: number[] = [];
      for await (const batch of local.groups.streamMembers(local.ctx, group.id, { batchSize: 2 })) streamed.push(...batch.map((m) => m.id));
      expect(streamed.sort()).to.deep.equal(made.map((c) => c.id).sort());
      expect(await local.groups.count(local.ctx, group.id)).to.equal(7);
    });
  });

  describe('by customer', () => {
    it('holds exactly the results of the search it was built from', async () => {
      const tag = uniq('camp');
      const matching = [await makeCustomer(w, { tags: [tag], shop_id: w.shops[0].id }), await makeCustomer(w, { tags: [tag], shop_id: w.shops[1].id })];
      const wrongShop = await makeCustomer(w, { tags: [tag], shop_id: w.shops[1].id, birthdate: '1970-01-01' });
      await makeCustomer(w, { tags: ['other'] });
      const search = await w.customers.search(w.ctx, { tag }, { limit: 500 });
      const group = await w.groups.create(w.ctx, { name: uniq('Campaign '), type: 'customer', search: { tag } });
      const members = await w.groups.members(w.ctx, group.id, { limit: 1000 });
      expect(members.data.map((m) => m.id).sort()).to.deep.equal(search.data.map((c) => c.id).sort());
      expect(members.data.map((m) => m.id)).to.include.members([...matching.map((c) => c.id), wrongShop.id]);
      expect(await w.groups.count(w.ctx, group.id)).to.equal(3);
    });

    it('builds from a prefix search the same way the list finds it', async () => {
      const last = uniq('Prefix');
      const a = await makeCustomer(w, { last_name: last });
      const b = await makeCustomer(w, { last_name: last, first_name: 'Bo' });
      const group = await w.groups.create(w.ctx, { name: uniq('Q '), type: 'customer', search: { q: last.toLowerCase(), shop_id: String(w.shops[0].id) } });
      expect((await w.groups.members(w.ctx, group.id)).data.map((m) => m.id).sort()).to.deep.equal([a.id, b.id].sort());
    });

    it('is edited later: customers added by pick or search, removed, never twice', async () => {
      const a = await makeCustomer(w);
      const b = await makeCustomer(w);
      const group = await w.groups.create(w.ctx, { name: uniq('Pick '), type: 'customer', customer_ids: [a.id] });
      await w.groups.update(w.ctx, group.id, { customer_ids: [a.id, b.id] });
      await w.groups.update(w.ctx, group.id, { customer_ids: [b.id] });
      expect(await w.groups.count(w.ctx, group.id)).to.equal(2);
      await w.groups.update(w.ctx, group.id, { remove_customer_ids: [a.id] });
      expect(await w.groups.isMember(w.ctx, group.id, a.id)).to.equal(false);
      expect(await w.groups.isMember(w.ctx, group.id, b.id)).to.equal(true);
      // A customer moving shop stays in a by-customer group.
      await w.customers.update(w.ctx, b.id, { shop_id: w.shops[1].id });
      expect(await w.groups.isMember(w.ctx, group.id, b.id)).to.equal(true);
    });

    it("refuses customers of another company, and a search never reaches them", async () => {
      const other = await crmWorld();
      const last = uniq('Iso');
      const theirs = await makeCustomer(other, { last_name: last });
      const mine = await makeCustomer(w, { last_name: last });
      const error = await w.groups.create(w.ctx, { name: uniq('x'), type: 'customer', customer_ids: [theirs.id] }).catch((e) => e);
      expect(error.fields).to.deep.equal({ customer_ids: `customer ${theirs.id} does not exist` });
      const group = await w.groups.create(w.ctx, { name: uniq('x'), type: 'customer', search: { q: last } });
      expect((await w.groups.members(w.ctx, group.id)).data.map((m) => m.id)).to.deep.equal([mine.id]);
      expect(await other.groups.get(other.ctx, group.id).catch((e) => e.status)).to.equal(404);
    });
  });

  it('answers which groups hold a customer, by shop and by customer', async () => {
    const c = await makeCustomer(w, { shop_id: w.shops[1].id });
    const byShop = await w.groups.create(w.ctx, { name: uniq('S '), type: 'shop', shop_ids: [w.shops[1].id] });
    const byCustomer = await w.groups.create(w.ctx, { name: uniq('C '), type: 'customer', customer_ids: [c.id] });
    const notHolding = await w.groups.create(w.ctx, { name: uniq('N '), type: 'shop', shop_ids: [w.shops[0].id] });
    const ids = (await w.groups.groupsOf(w.ctx, c.id)).map((g) => g.id);
    expect(ids).to.include.members([byShop.id, byCustomer.id]);
    expect(ids).to.not.include(notHolding.id);
  });

  it('refuses a second group of the same name, and a change of type', async () => {
    const name = uniq('Same ');
    const g = await w.groups.create(w.ctx, { name, type: 'shop', shop_ids: [w.shops[0].id] });
    expect((await w.groups.create(w.ctx, { name, type: 'customer' }).catch((e) => e)).fields).to.deep.equal({ name: 'is already the name of another group' });
    expect((await w.groups.update(w.ctx, g.id, { type: 'customer' }).catch((e) => e)).fields).to.have.property('type');
  });

  it('needs crm.group.manage to change groups', async () => {
    const { ctx } = await userWith(w, ['crm.group.read']);
    expect(await w.groups.create(ctx, { name: uniq('x'), type: 'shop', shop_ids: [w.shops[0].id] }).catch((e) => e.status)).to.equal(403);
  });

  describe('API', () => {
    it('creates both kinds of group, lists members and a customer\'s groups', async () => {
      const token = await w.t.token(w.admin.email);
      const api = () => supertest(w.t.app);
      const tag = uniq('api');
      const c = (await api().post('/api/v1/crm/customers').set(bearer(token)).send({ first_name: 'Api', last_name: 'User', shop_id: w.shops[0].id, tags: [tag] }).expect(201)).body;

      const byShop = (await api().post('/api/v1/crm/groups').set(bearer(token)).send({ name: uniq('S'), type: 'shop', shop_ids: [w.shops[0].id] }).expect(201)).body;
      expect(byShop.member_count).to.be.at.least(1);
      const bySearch = (await api().post('/api/v1/crm/groups').set(bearer(token)).send({ name: uniq('C'), type: 'customer', search: { tag } }).expect(201)).body;
      expect(bySearch.member_count).to.equal(1);

      const members = await api().get(`/api/v1/crm/groups/${bySearch.id}/members`).set(bearer(token)).expect(200);
      expect(members.body.data.map((m: any) => m.id)).to.deep.equal([c.id]);
      expect(members.body).to.have.property('next_cursor', null);

      const groups = await api().get(`/api/v1/crm/customers/${c.id}/groups`).set(bearer(token)).expect(200);
      expect(groups.body.data.map((g: any) => g.id)).to.include.members([byShop.id, bySearch.id]);

      await api().patch(`/api/v1/crm/groups/${bySearch.id}`).set(bearer(token)).send({ remove_customer_ids: [c.id] }).expect(200);
      expect((await api().get(`/api/v1/crm/groups/${bySearch.id}`).set(bearer(token)).expect(200)).body.member_count).to.equal(0);
      await api().delete(`/api/v1/crm/groups/${bySearch.id}`).set(bearer(token)).expect(204);
      await api().get(`/api/v1/crm/groups/${bySearch.id}`).set(bearer(token)).expect(404);

      const bad = await api().post('/api/v1/crm/groups').set(bearer(token)).send({ name: 'x', type: 'club' }).expect(422);
      expect(bad.body.error.fields).to.have.property('type');
    });
  });
});
