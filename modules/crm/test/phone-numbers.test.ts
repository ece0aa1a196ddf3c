import { expect } from 'chai';
import supertest from 'supertest';
import { createTestDatabase, openDatabase } from 'tessera/testing';
import { phonePrefixes, toE164, displayPhone } from '../customers/phone-numbers';
import { bearer, crmWorld, makeCustomer, uniq, uniqDigits, type CrmWorld } from './crm-fixtures';
import * as m001 from '../migrations/001_customers';
import * as m002 from '../migrations/002_groups';
import * as m003 from '../migrations/003_imports';
import * as m004 from '../migrations/004_search_filter_columns';
import * as m005 from '../migrations/005_import_locks';
import * as m006 from '../migrations/006_phone_owner';
import * as m007 from '../migrations/007_import_chunks';
import * as m008 from '../migrations/009_phone_e164';

describe('crm: phone numbers in E.164, read in the company country', () => {
  it('reads national and international forms as one number, and says why an impossible one is refused', () => {
    expect(toE164('06 12 34 56 01', 'FR')).to.deep.equal({ e164: '+33612345601' });
    expect(toE164('+33 6 12 34 56 01', 'FR')).to.deep.equal({ e164: '+33612345601' });
    expect(toE164('0033 6 12 34 56 01', 'FR')).to.deep.equal({ e164: '+33612345601' });
    expect(toE164('+39 333 123 4567', 'FR')).to.deep.equal({ e164: '+393331234567' });
    expect(toE164('0612', 'FR')).to.deep.equal({ problem: 'is too short for a phone number of France (or start with + and the country code)' });
    expect(toE164('06123456789012', 'FR')).to.deep.equal({ problem: 'is too long for a phone number of France (or start with + and the country code)' });
    expect(toE164('020 7946 0018', 'GB')).to.deep.equal({ e164: '+442079460018' });
  });

  it('searches a typed phone as the E.164 digits it starts, and as typed', () => {
    for (const typed of ['06 12 34 56 01', '0612345601', '612345601', '+33 6 12 34 56 01']) expect(phonePrefixes(typed, 'FR')[0]).to.equal('33612345601');
    expect(phonePrefixes('+33 6 12', 'FR')).to.deep.equal(['33612']);
    expect(phonePrefixes('0612', 'FR')).to.deep.equal(['33612', '0612']);
    expect(phonePrefixes('0612', undefined)).to.deep.equal(['0612']);
    expect(displayPhone('+33612345601', 'FR')).to.equal('06 12 34 56 01');
    expect(displayPhone('+393331234567', 'FR')).to.equal('+39 333 123 4567');
  });

  describe('through the API @integration', function () {
    this.timeout(60_000);
    let w: CrmWorld;
    let token: string;

    before(async () => {
      w = await crmWorld();
      token = await w.t.token(w.admin.email);
    });

    it('finds a customer by the national form a caller gives, with or without spaces or trunk 0, and by +33', async () => {
      const national = '06' + uniqDigits(8);
      const c = await makeCustomer(w, { phone: national, last_name: uniq('Caller') });
      expect(c.phone).to.equal('+33' + national.slice(1));
      const spaced = national.replace(/(\d\d)(?=\d)/g, '$1 ');
      for (const q of [spaced, national, national.slice(0, 6), national.slice(1, 8), `+33 ${spaced.slice(1, 8)}`]) {
        const res = await supertest(w.t.app).get('/api/v1/crm/customers').query({ q }).set(bearer(token)).expect(200);
        expect(res.body.data.map((x: any) => x.id), q).to.include(c.id);
      }
    });

    it('refuses a number that cannot exist, naming phone and why', async () => {
      const res = await supertest(w.t.app).post('/api/v1/crm/customers').set(bearer(token)).send({ last_name: 'Short', shop_id: w.shops[0].id, phone: '06 12 34' }).expect(422);
      expect(res.body.error.fields).to.deep.equal({ phone: 'is too short for a phone number of France (or start with + and the country code)' });
    });

    it("reads national numbers in the company's country when its settings name one", async () => {
      await w.t.kernel.settings.set(w.companyId, 'crm', { phone_country: 'BE' });
      try {
        const c = await makeCustomer(w, { phone: '0470 12 34 ' + uniqDigits(2) });
        expect(c.phone).to.match(/^\+32470/);
      } finally {
        await w.t.kernel.settings.set(w.companyId, 'crm', {});
      }
    });
  });

  it('migrates stored phones to E.164 and back; where one number was written two ways, the older keeps owning it @integration', async () => {
    const database = await createTestDatabase();
    const knex = openDatabase(database.url, process.cwd());
    try {
      await knex.schema.createTable('core_companies', (t) => {
        t.increments('id').primary();
      });
      for (const m of [m001, m002, m003, m004, m005, m006, m007]) await m.up(knex);
      const [company] = await knex('core_companies').insert({});
      let n = 0;
      const customer = async (phone: string | null, parentId: number | null = null, owned = true) => {
        n++;
        const norm = phone ? phone.replace(/\D+/g, '') : null;
        const [id] = await knex('crm_customers').insert({ company_id: company, shop_id: 1, code: `C${n}`, code_norm: `c${n}`, last_name: `L${n}`, name_norm: `l${n}`, name_rev_norm: `l${n}`, phone, phone_norm: norm, owned_phone_norm: owned ? norm : null, parent_id: parentId, created_at: new Date(), updated_at: new Date() });
        return Number(id);
      };
      const national = await customer('06 11 11 11 11');
      const international = await customer('+33 6 11 11 11 11');
      const kid = await customer('0611111111', national, false);
      const junk = await customer('12');
      const before = await knex('crm_customers').orderBy('id').select('id', 'phone', 'phone_norm', 'owned_phone_norm');

      await m008.up(knex);
      const rows = new Map((await knex('crm_customers').select('id', 'phone', 'phone_norm', 'owned_phone_norm')).map((r: any) => [Number(r.id), r]));
      expect(rows.get(national)).to.include({ phone: '+33611111111', phone_norm: '33611111111', owned_phone_norm: '33611111111' });
      expect(rows.get(international)).to.include({ phone: '+33611111111', phone_norm: '33611111111', owned_phone_norm: null });
      expect(rows.get(kid)).to.include({ phone: '+33611111111', owned_phone_norm: null });
      expect(rows.get(junk)).to.include({ phone: '12', phone_norm: '12' });

      await m008.down(knex);
      expect(await knex('crm_customers').orderBy('id').select('id', 'phone', 'phone_norm', 'owned_phone_norm')).to.deep.equal(before);
    } finally {
      await knex.destroy();
      await database.drop();
    }
  });
});
