import { expect } from 'chai';
import supertest from 'supertest';
import { parse } from 'csv-parse/sync';
import { bearer, crmWorld, e164, makeCustomer, uniq, uniqDigits, userWith, type CrmWorld } from './crm-fixtures';

describe('crm CSV import and export @integration', function () {
  this.timeout(60_000);
  let w: CrmWorld;
  let token: string;

  const post = (csv: string, query: Record<string, unknown> = {}, auth = token) =>
    supertest(w.t.app).post('/api/v1/crm/customers/import').query(query).set(bearer(auth)).set('Content-Type', 'text/csv').send(csv);
  const count = async () => Number((await w.t.knex('crm_customers').where({ company_id: w.companyId }).count({ n: '*' }).first())!.n);
  const byCode = (code: string) => w.t.knex('crm_customers').where({ company_id: w.companyId, code }).first();

  before(async () => {
    w = await crmWorld();
    await w.t.kernel.settings.set(w.companyId, 'crm', { custom_fields: [{ key: 'newsletter', label: 'Newsletter', type: 'boolean' }] });
    token = await w.t.token(w.admin.email);
  });

  it('offers a template with the standard columns and the company custom fields', async () => {
    const res = await supertest(w.t.app).get('/api/v1/crm/customers/import/template').set(bearer(token)).expect(200);
    expect(res.headers['content-type']).to.match(/text\/csv/);
    expect(res.text.trim()).to.equal('code,first_name,last_name,phone,email,birthdate,shop,tags,classification,delivery_route,parent_code,newsletter');
  });

  it('previews a file: every bad row with its line, field and reason, and nothing written', async () => {
    const p = uniq('P');
    const csv = [
      'code,first_name,last_name,phone,email,birthdate,shop,tags,newsletter',
      `${p}-1,Ann,Lee,0612345678,ann.${p}@x.org,1990-01-02,${w.shops[0].code},vip,yes`,
      `${p}-2,Bob,,0612345679,bob@,1990-02-30,Nowhere,,maybe`,
      `${p}-3,Cy,Ray,,,,${w.shops[1].name},,`,
      `,No,Key,,,,${w.shops[0].code},,`,
    ].join('\n');
    const before = await count();
    const res = await post(csv, { dry_run: true }).expect(200);
    expect(res.body).to.include({ dry_run: true, rows_total: 4, created: 2, updated: 0, error_count: 2 });
    expect(res.body.errors).to.deep.include.members([
      { line: 3, field: 'shop', reason: 'no shop has the code or name "Nowhere"' },
      { line: 3, field: 'last_name', reason: 'is required' },
      { line: 3, field: 'email', reason: 'is not a valid e-mail address' },
      { line: 3, field: 'birthdate', reason: 'must be a date YYYY-MM-DD' },
      { line: 3, field: 'newsletter', reason: 'must be yes or no' },
    ]);
    expect(res.body.errors.find((e: any) => e.line === 5)).to.deep.include({ field: 'code' });
    expect(res.body.errors.map((e: any) => e.line)).to.not.include.members([2, 4]);
    expect(await count()).to.equal(before);
  });

  it('imports the valid rows whole, writes nothing of a bad row, and re-importing creates no duplicate', async () => {
    const p = uniq('I');
    const csv = [
      'code,first_name,last_name,phone,email,birthdate,shop,tags,classification,delivery_route,newsletter',
      `${p}-1,Ann,Lee,0612345678,ann.${p}@x.org,1990-01-02,${w.shops[0].code},"vip, gold",retail,R1,yes`,
      `${p}-2,Bob,Kay,0612345679,bob.${p}@x.org,1991-03-04,${w.shops[1].code},vip,,,no`,
      `${p}-3,Bad,Row,0612345670,bad.${p}@x.org,1992-05-06,${w.shops[0].code},"<bad tag>",,,`,
    ].join('\r\n');
    const before = await count();
    const first = await post(csv).expect(200);
    expect(first.body).to.include({ status: 'done', rows_total: 3, created: 2, updated: 0, unchanged: 0, error_count: 1 });
    expect(first.body.errors).to.deep.equal([{ line: 4, field: 'tags', reason: 'tag "<bad tag>" may hold only letters, digits, spaces and _ - .' }]);
    expect(await count()).to.equal(before + 2);
    expect(await byCode(`${p}-3`)).to.equal(undefined);
    const ann = await byCode(`${p}-1`);
    expect(ann).to.include({ first_name: 'Ann', classification: 'retail', delivery_route: 'R1', shop_id: w.shops[0].id });
    const annFull = await w.customers.get(w.ctx, ann.id);
    expect(annFull.tags).to.deep.equal(['gold', 'vip']);
    expect(annFull.custom_fields).to.deep.equal({ newsletter: true });

    const again = await post(csv).expect(200);
    expect(again.body).to.include({ created: 0, updated: 0, unchanged: 2, error_count: 1 });
    expect(await count()).to.equal(before + 2);

    const changed = csv.replace(`${p}-2,Bob,Kay`, `${p}-2,Bobby,Kay`);
    const third = await post(changed).expect(200);
    expect(third.body).to.include({ created: 0, updated: 1, unchanged: 1 });
    expect((await byCode(`${p}-2`)).first_name).to.equal('Bobby');
    expect(await count()).to.equal(before + 2);
  });

  it('matches a row without a code by e-mail, else by phone, and lets the user choose the key', async () => {
    const email = `${uniq('m')}@x.org`;
    const phone = '06' + uniqDigits(8);
    const byEmail = await makeCustomer(w, { email, first_name: 'Old' });
    const byPhone = await makeCustomer(w, { phone, first_name: 'Old' });
    const before = await count();
    const csv = ['first_name,last_name,email,phone,shop', `New,${byEmail.last_name},${email.toUpperCase()},,${w.shops[0].code}`, `New,${byPhone.last_name},,${phone.replace(/(\d\d)/g, '$1 ').trim()},${w.shops[0].code}`].join('\n');
    const res = await post(csv).expect(200);
    expect(res.body).to.include({ created: 0, updated: 2, error_count: 0 });
    expect((await w.customers.get(w.ctx, byEmail.id)).first_name).to.equal('New');
    expect((await w.customers.get(w.ctx, byPhone.id)).first_name).to.equal('New');
    expect(await count()).to.equal(before);

    // match_by=phone: the phone decides even when a code is present.
    const viaPhone = await post(['code,last_name,phone,shop', `${uniq('X')},${byPhone.last_name},${phone},${w.shops[0].code}`].join('\n'), { match_by: 'phone' }).expect(200);
    expect(viaPhone.body).to.include({ created: 0, updated: 1 });
    const missingKey = await post(['code,last_name,shop', `${uniq('X')},Z,${w.shops[0].code}`].join('\n'), { match_by: 'email', dry_run: true }).expect(200);
    expect(missingKey.body.errors).to.deep.equal([{ line: 2, field: 'email', reason: 'is required when matching by e-mail' }]);
  });

  it('refuses an e-mail matching several customers, and a customer twice in one file', async () => {
    const shared = `${uniq('fam')}@x.org`;
    await makeCustomer(w, { email: shared });
    await makeCustomer(w, { email: shared });
    const p = uniq('D');
    const csv = ['code,last_name,email,shop', `,A,${shared},${w.shops[0].code}`, `${p},B,,${w.shops[0].code}`, `${p.toLowerCase()},C,,${w.shops[0].code}`].join('\n');
    const res = await post(csv, { dry_run: true }).expect(200);
    expect(res.body.errors).to.have.length(2);
    expect(res.body.errors[0]).to.deep.include({ line: 2, field: 'email' });
    expect(res.body.errors[0].reason).to.match(/matches 2 customers/);
    expect(res.body.errors[1]).to.deep.equal({ line: 4, field: 'code', reason: 'same code as line 3; a customer appears once per file' });
  });

  it('links family members to a main customer defined earlier in the same file', async () => {
    const p = uniq('F');
    const csv = ['code,last_name,shop,parent_code', `${p}-MAIN,Main,${w.shops[0].code},`, `${p}-KID,Kid,${w.shops[0].code},${p}-MAIN`, `${p}-BAD,Bad,${w.shops[0].code},${p}-NOPE`].join('\n');
    const preview = await post(csv, { dry_run: true }).expect(200);
    expect(preview.body.errors).to.deep.equal([{ line: 4, field: 'parent_code', reason: `no customer has the code "${p}-NOPE"` }]);
    const res = await post(csv, { batch: undefined }).expect(200);
    expect(res.body).to.include({ created: 2, error_count: 1 });
    const main = await byCode(`${p}-MAIN`);
    expect((await byCode(`${p}-KID`)).parent_id).to.equal(main.id);
  });

  it('refuses a file whose header it cannot map, writing nothing', async () => {
    const before = await count();
    const res = await post(`code,last_name,shop,shoe_size\nX1,Y,${w.shops[0].code},42`).expect(200);
    expect(res.body.file_error).to.match(/column "shoe_size" is not a customer field/);
    expect(res.body.created).to.equal(0);
    expect(await count()).to.equal(before);
  });

  it('reads semicolon files from spreadsheets', async () => {
    const p = uniq('S');
    const res = await post(`code;last_name;shop\n${p};Semi;${w.shops[0].code}\n`).expect(200);
    expect(res.body).to.include({ created: 1, error_count: 0 });
  });

  it('runs a large file as a job with progress, then reports', async () => {
    const p = uniq('J');
    const lines = ['code,first_name,last_name,phone,shop'];
    for (let i = 0; i < 1200; i++) lines.push(`${p}-${i},F${i},L${i},06${String(i).padStart(8, '0')},${w.shops[i % 2].code}`);
    lines.push(`${p}-bad,X,,,${w.shops[0].code}`);
    const accepted = await post(lines.join('\n'), { async: true, filename: 'big.csv' }).expect(202);
    // The answer comes before the work: queued, or already picked up by a worker.
    expect(accepted.body).to.include({ filename: 'big.csv' });
    expect(accepted.body.status).to.be.oneOf(['import_queued', 'importing', 'done']);
    expect(accepted.body.job_id).to.be.a('string');
    await w.t.drainJobs(60_000);
    const done = await supertest(w.t.app).get(`/api/v1/crm/imports/${accepted.body.id}`).set(bearer(token)).expect(200);
    expect(done.body).to.include({ status: 'done', rows_total: 1201, created: 1200, error_count: 1, progress: 100 });
    expect(done.body.errors).to.deep.equal([{ line: 1202, field: 'last_name', reason: 'is required' }]);
    const job = await w.t.kernel.queue.get(accepted.body.job_id);
    expect(job!.status).to.equal('completed');
    expect(job!.result).to.deep.include({ created: 1200 });
    // Asking to run it again queues nothing new and changes nothing.
    const rerun = await supertest(w.t.app).post(`/api/v1/crm/imports/${accepted.body.id}/run`).set(bearer(token)).expect(202);
    expect(rerun.body.job_id).to.equal(accepted.body.job_id);
  });

  it('needs crm.customer.import', async () => {
    const { user } = await userWith(w, ['crm.customer.write']);
    const res = await post(`last_name,shop\nX,${w.shops[0].code}`, {}, await w.t.token(user.email));
    expect(res.status).to.equal(403);
  });

  it("imports into the caller's company only: another company's shop is unknown there", async () => {
    const other = await crmWorld();
    const res = await post(`code,last_name,shop\n${uniq('O')},X,${other.shops[0].code}`, { dry_run: true }).expect(200);
    expect(res.body.errors[0]).to.deep.include({ line: 2, field: 'shop' });
  });

  it('exports the filtered list as CSV in the template columns, which imports back unchanged', async () => {
    const tag = uniq('exp');
    // A phone of its own: another test of this file imports 06000000xx numbers, and a phone belongs to one customer.
    const phone = `05${uniqDigits(8)}`;
    const a = await makeCustomer(w, { tags: [tag, 'z'], first_name: 'Éva', last_name: 'Quote "Q", Jr', phone, birthdate: '1980-12-31', custom_fields: { newsletter: false } });
    const b = await makeCustomer(w, { tags: [tag], shop_id: w.shops[1].id, parent_id: a.id });
    await makeCustomer(w, { tags: ['other'] });
    const res = await supertest(w.t.app).get('/api/v1/crm/customers/export').query({ tag, sort: 'created' }).set(bearer(token)).expect(200);
    expect(res.headers['content-type']).to.match(/text\/csv/);
    const rows = parse(res.text, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r.code)).to.deep.equal([a.code, b.code]);
    expect(rows[0]).to.include({ first_name: 'Éva', last_name: 'Quote "Q", Jr', phone: `'${e164(phone)}`, birthdate: '1980-12-31', shop: w.shops[0].code, tags: `${tag}, z`, newsletter: 'no' });
    expect(rows[1]).to.include({ parent_code: a.code, shop: w.shops[1].code });

    const back = await post(res.text).expect(200);
    expect(back.body).to.include({ created: 0, updated: 0, unchanged: 2, error_count: 0 });
  });

  it('streams a large export page by page', async () => {
    const res = await supertest(w.t.app).get('/api/v1/crm/customers/export').query({ q: '' }).set(bearer(token)).expect(200);
    const rows = parse(res.text, { columns: true }) as unknown[];
    expect(rows.length).to.equal(await count());
    expect(rows.length).to.be.greaterThan(1000);
  });
});
