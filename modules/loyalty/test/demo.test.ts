import { expect } from 'chai';
import supertest from 'supertest';
import { startTestApp } from 'tessera/testing';

describe('loyalty demo data @integration', function () {
  this.timeout(120_000);
  it('gives the demo company card templates and live cards: stamps, cashback earned, points, and a web card that opens', async () => {
    const t = await startTestApp();
    const templates = await t.knex('loyalty_card_templates').where({ company_id: t.companyId }).pluck('type');
    expect(templates).to.include.members(['stamp', 'cashback', 'reward']);
    const cards = await t.knex('loyalty_cards').where({ company_id: t.companyId }).select('type', 'stamps', 'balance', 'points', 'secret');
    expect(cards.find((c) => c.type === 'stamp')).to.include({ stamps: 5 });
    // 2 % of 45.90 (Bronze) = 0.92, then 2 % of 120.00 (still Bronze: 45.90 spent before) = 2.40.
    expect(Number(cards.find((c) => c.type === 'cashback').balance)).to.equal(92 + 240);
    expect(Number(cards.find((c) => c.type === 'reward').points)).to.equal(5 + 89);
    const page = await supertest(t.app).get(`/w/${cards[0].secret}`);
    expect(page.status).to.equal(200);
  });
});
