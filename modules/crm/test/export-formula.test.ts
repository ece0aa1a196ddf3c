import { expect } from 'chai';
import supertest from 'supertest';
import { parse } from 'csv-parse/sync';
import { bearer, crmWorld, makeCustomer, uniq, type CrmWorld } from './crm-fixtures';

describe('crm CSV export is safe in spreadsheets @integration', function () {
  this.timeout(30_000);
  let w: CrmWorld;
  let token: string;

  before(async () => {
    w = await crmWorld();
    token = await w.t.token(w.admin.email);
  });

  it('neutralises a cell that would start a formula, and the file imports back unchanged', async () => {
    const tag = uniq('f');
    const customer = await makeCustomer(w, { first_name: '=HYPERLINK("http://x")', last_name: '@SUM(A1)', phone: '+33 6 12 34 56 78', tags: [tag] });
    const res = await supertest(w.t.app).get('/api/v1/crm/customers/export').query({ tag }).set(bearer(token)).expect(200);
    const [header, row] = parse(res.text) as string[][];
    const cell = (name: string) => row[header.indexOf(name)];
    expect(cell('first_name')).to.equal(`'=HYPERLINK("http://x")`);
    expect(cell('last_name')).to.equal("'@SUM(A1)");
    expect(cell('phone'), 'stored in E.164, neutralised').to.equal("'+33612345678");
    expect(cell('code')).to.equal(customer.code);

    const again = await supertest(w.t.app).post('/api/v1/crm/customers/import').set(bearer(token)).set('Content-Type', 'text/csv').send(res.text).expect(200);
    expect(again.body).to.include({ created: 0, updated: 0, unchanged: 1, error_count: 0 });
    const stored = await w.customers.get(w.ctx, customer.id);
    expect([stored.first_name, stored.last_name]).to.deep.equal(['=HYPERLINK("http://x")', '@SUM(A1)']);
  });
});
