import { expect } from 'chai';
import type { TestApp } from '../../support/harness';
import type { RequestContext } from '../../../core/security/request-context';
import type { EntityService } from '../../../core';
import { keysetPage, MAX_COMPANY_BRANCHES, type KeysetOrder } from '../../../core/data/keyset-page';
import { ValidationError } from '../../../core/errors';
import type { articleEntity } from '../../fixtures/resources/depot/depot-entities';
import { DEPOT_ALL, newCompany, startDepotApp, uniq } from './depot-app';

type Articles = EntityService<typeof articleEntity>;

describe('core resources: keyset pages over several companies @integration', () => {
  let t: TestApp;
  let articles: Articles;
  let ctx: RequestContext;
  let companies: number[];
  const tag = uniq('K');
  const made: Array<{ id: number; company_id: number; name: string; price: number; available_on: string | null; created_at: string }> = [];

  before(async () => {
    t = await startDepotApp();
    articles = t.container.get<Articles>(Symbol.for('depot.article'));
    companies = [await newCompany(t), await newCompany(t), await newCompany(t)];
    const user = await t.createUser({ permissions: DEPOT_ALL, companyIds: companies });
    ctx = await t.contextFor(user.id, companies[0]);
    // Interleaved across the companies, with ties in price and some days missing, so a page cut from
    // a plain `company_id IN (...)` order and one merged from per-company branches must agree.
    for (let i = 0; i < 12; i++) {
      const row = await articles.create(ctx, {
        company_id: companies[i % 3],
        sku: `${tag}-${String(i).padStart(2, '0')}`,
        name: `${tag} ${String.fromCharCode(97 + ((i * 5) % 12))}`,
        price: 100 * (i % 4),
        available_on: i % 3 === 1 ? null : `2025-07-${String(10 + (i % 5)).padStart(2, '0')}`,
      });
      made.push(row as (typeof made)[number]);
    }
  });
  after(async () => t.close());

  /** The expected order, by the same rule the databases follow (NULLs first ascending), ties by id. */
  function expected(key: keyof (typeof made)[number], direction: 'asc' | 'desc'): number[] {
    const sign = direction === 'asc' ? 1 : -1;
    const compare = (a: unknown, b: unknown) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : (a as any) < (b as any) ? -1 : 1);
    return [...made].sort((a, b) => sign * (compare(a[key], b[key]) || a.id - b.id)).map((r) => r.id);
  }

  async function walk(options: { sort: string; q?: string; filters?: Record<string, unknown> }, limit: number): Promise<number[]> {
    const seen: number[] = [];
    let after: string | null = null;
    do {
      const page = await articles.page(ctx, { q: options.q ?? tag, sort: options.sort, filters: options.filters, limit, after });
      expect(page.data.length).to.be.at.most(limit);
      seen.push(...page.data.map((r) => r.id));
      after = page.next_cursor;
    } while (after);
    return seen;
  }

  it('pages the rows of every company the user sees as one list, in order, none lost or repeated', async () => {
    for (const [sort, key, direction] of [
      ['name', 'name', 'asc'],
      ['-name', 'name', 'desc'],
      ['price', 'price', 'asc'],
      ['-price', 'price', 'desc'],
      ['available_on', 'available_on', 'asc'],
      ['-available_on', 'available_on', 'desc'],
      ['created_at', 'created_at', 'asc'],
      ['-created_at', 'created_at', 'desc'],
    ] as const) {
      for (const limit of [1, 5]) expect(await walk({ sort }, limit), `${sort}, pages of ${limit}`).to.deep.equal(expected(key, direction));
    }
    // With a filter, in one company, and searching one column or the other.
    const cheap = await walk({ sort: '-price', filters: { price_to: 100 } }, 2);
    expect(cheap).to.deep.equal(expected('price', 'desc').filter((id) => made.find((r) => r.id === id)!.price <= 100));
    const one = await articles.page(ctx, { q: tag, companyId: companies[1], limit: 50 });
    expect(one.data.map((r) => r.id)).to.deep.equal(expected('name', 'asc').filter((id) => made.find((r) => r.id === id)!.company_id === companies[1]));
    const bySku = new Map(made.map((r) => [r.id, (r as unknown as { sku: string }).sku]));
    expect(await walk({ sort: 'name', q: `${tag}-0` }, 3)).to.deep.equal(expected('name', 'asc').filter((id) => /-0\d$/.test(bySku.get(id)!)));
  });

  it('counts the matches of every company, no further than a bound', async () => {
    expect(await articles.count(ctx, { q: tag })).to.deep.equal({ count: made.length, exact: true });
    expect(await articles.count(ctx, { q: tag }, { bound: 5 })).to.deep.equal({ count: 5, exact: false });
    expect(await articles.count(ctx, { q: tag, filters: { price_from: 300 } })).to.deep.equal({ count: made.filter((r) => r.price >= 300).length, exact: true });
    expect(await articles.count(ctx, { q: tag, companyId: companies[2] })).to.deep.equal({ count: 4, exact: true });
  });

  it('takes a set of values for a plain filter (IN): pages and counts hold any of them, an empty set none, a bad value is named', async () => {
    const ids = made.map((r) => r.id);
    await t.knex('depot_articles').whereIn('id', ids.filter((_, i) => i % 3 === 0)).update({ status: 'published' });
    await t.knex('depot_articles').whereIn('id', ids.filter((_, i) => i % 3 === 1)).update({ status: 'retired' });
    const wanted = ids.filter((_, i) => i % 3 !== 2);
    const inOrder = expected('created_at', 'asc');
    expect(await walk({ sort: 'created_at', filters: { status: ['published', 'retired'] } }, 3)).to.deep.equal(inOrder.filter((id) => wanted.includes(id)));
    expect(await walk({ sort: 'created_at', filters: { status: ['retired'] } }, 50)).to.deep.equal(inOrder.filter((id) => ids.indexOf(id) % 3 === 1));
    expect(await articles.count(ctx, { q: tag, filters: { status: ['published', 'retired'] } })).to.deep.equal({ count: wanted.length, exact: true });
    expect((await articles.page(ctx, { q: tag, filters: { status: [] }, limit: 50 })).data).to.deep.equal([]);
    expect(await articles.count(ctx, { q: tag, filters: { status: [] } })).to.deep.equal({ count: 0, exact: true });
    const error = await articles.page(ctx, { q: tag, filters: { status: ['published', 'lost'] } }).then(() => null, (e) => e);
    expect(error).to.be.instanceOf(ValidationError);
    expect(error.fields).to.have.property('status');
  });

  it('reads each company (and each searched column) as its own ordered, cut branch', () => {
    const order: KeysetOrder = { column: 'name', direction: 'asc', kind: 'text' };
    const like = (qb: any, alias: string) => qb.where(`${alias}.name`, 'like', 'x%');
    const byCompany = keysetPage(ctx.db, { table: 'depot_articles', order, limit: 10, alternatives: [like, like] }).query.toSQL().sql;
    expect(byCompany.match(/union/gi)).to.have.length(2 * companies.length - 1);
    expect(byCompany.match(/company_id["`]? = \?/g)).to.have.length(2 * companies.length);
    // Only the join back to the page's few ids lists every company.
    expect(byCompany.match(/company_id["`]? in \(/gi)).to.have.length(1);
    // One company and one alternative need no branches at all.
    const single = keysetPage(ctx.db, { table: 'depot_articles', order, limit: 10, companyId: companies[0] }).query.toSQL().sql;
    expect(single).not.to.match(/union/i);
    // Past the bound, one query over every company beats a branch each.
    const many = { ...ctx.db, principal: { ...ctx.db.principal, companyIds: Array.from({ length: MAX_COMPANY_BRANCHES + 1 }, (_, i) => i + 1) } };
    const wide = keysetPage(Object.setPrototypeOf(many, Object.getPrototypeOf(ctx.db)), { table: 'depot_articles', order, limit: 10 }).query.toSQL().sql;
    expect(wide).not.to.match(/union/i);
  });

  it('refuses a cursor that is not one, or not one of this sort, naming after', async () => {
    const byName = await articles.page(ctx, { q: tag, sort: 'name', limit: 1 });
    const byDay = await articles.page(ctx, { q: tag, sort: 'available_on', limit: 1 });
    const cases: Array<[string, string, string]> = [
      ['name', 'garbage', 'is not a valid cursor'],
      ['name', Buffer.from('{"a":1}').toString('base64url'), 'is not a valid cursor'],
      ['price', byName.next_cursor!, 'is not a valid cursor'],
      ['name', Buffer.from(JSON.stringify(['x', 'not an id'])).toString('base64url'), 'is not a valid cursor'],
      ['name', Buffer.from(JSON.stringify([null, 3])).toString('base64url'), 'is not a valid cursor'],
    ];
    for (const [sort, after, reason] of cases) {
      const error = await articles.page(ctx, { sort, after }).then(() => null, (e) => e);
      expect(error, `${sort} after ${after}`).to.be.instanceOf(ValidationError);
      expect(error.fields).to.deep.equal({ after: reason });
    }
    // A NULL is a fine place to stop on a column that may hold one.
    expect(byDay.data[0].available_on).to.equal(null);
    expect((await articles.page(ctx, { q: tag, sort: 'available_on', after: byDay.next_cursor, limit: 50 })).data).to.have.length(made.length - 1);
  });
});
