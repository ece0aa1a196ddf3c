import { expect } from 'chai';
import { startFixtureApp } from '../../support/fixture-app';
import type { TestApp } from '../../support/harness';
import { Sequences } from '../../../core/data/sequences';

describe('gap-free sequences', () => {
  let t: TestApp;
  before(async () => {
    t = await startFixtureApp();
  });
  after(() => t.close());

  it('hands out 1..N exactly once to N concurrent transactions', async () => {
    const ctx = await t.contextFor((await t.createUser({ permissions: [] })).id);
    const taken = await Promise.all(Array.from({ length: 40 }, () => ctx.db.transaction((db) => db.nextNumber('test.concurrent'))));
    expect([...taken].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('gives a rolled-back number back, so no gap is left', async () => {
    const ctx = await t.contextFor((await t.createUser({ permissions: [] })).id);
    const first = await ctx.db.nextNumber('test.rollback');
    await ctx.db
      .transaction(async (db) => {
        await db.nextNumber('test.rollback');
        throw new Error('the invoice failed to save');
      })
      .catch(() => undefined);
    const next = await ctx.db.nextNumber('test.rollback');
    expect([first, next]).to.deep.equal([1, 2]);
  });

  it('counts each company on its own', async () => {
    const ours = await t.contextFor((await t.createUser({ permissions: [] })).id);
    const theirs = await t.contextFor(t.otherAdmin.id);
    expect(await ours.db.nextNumber('test.per-company')).to.equal(1);
    expect(await ours.db.nextNumber('test.per-company')).to.equal(2);
    expect(await theirs.db.nextNumber('test.per-company')).to.equal(1);
  });

  it('formats numbers with a company pattern', () => {
    expect(Sequences.format('JW-{seq:6}', 42)).to.equal('JW-000042');
    expect(Sequences.format('INV/{year}/{seq:4}', 7, new Date('2026-03-01T00:00:00Z'))).to.equal('INV/2026/0007');
  });
});
