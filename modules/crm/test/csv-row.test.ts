import { expect } from 'chai';
import { mapHeader } from '../../crm/import/csv-columns';
import { matchKey, parseRow, ShopLookup } from '../../crm/import/csv-row';
import { detectDelimiter } from 'tessera/core';

describe('crm CSV rows', () => {
  const shops = new ShopLookup([
    { id: 1, company_id: 1, code: 'MAIN', name: 'Main Street' },
    { id: 2, company_id: 1, code: 'NORTH', name: 'North Mall' },
  ]);
  const customFields = [{ key: 'newsletter', label: 'Newsletter', type: 'boolean' as const }];
  const header = ['Code', 'First name', 'last_name', 'Phone', 'E-mail', 'birthdate', 'Shop', 'tags', 'Newsletter'];
  const { map } = mapHeader(header, customFields);
  const ctx = { shops, customFields, matchBy: 'auto' as const, today: '2025-06-01' };

  it('maps headers as people write them, custom fields by key or label', () => {
    expect(map.standard).to.include({ code: 0, first_name: 1, last_name: 2, phone: 3, email: 4, birthdate: 5, shop: 6, tags: 7 });
    expect(map.custom).to.deep.equal({ newsletter: 8 });
  });

  it('refuses unknown, repeated and missing columns', () => {
    expect(mapHeader(['last_name', 'shop', 'shoe_size'], []).errors).to.deep.equal(['column "shoe_size" is not a customer field']);
    expect(mapHeader(['last_name', 'shop', 'Last Name'], []).errors).to.deep.equal(['column "Last Name" appears twice']);
    expect(mapHeader(['first_name', 'last_name'], []).errors).to.deep.equal(['column "shop" is required']);
  });

  it('turns a good row into clean values with its shop found by code or name', () => {
    const { row, errors } = parseRow(['JW-1', 'Ann', 'Lee', '06 12 34 56 78', 'ann@x.org', '1990-01-02', 'north mall', 'vip,gold', 'yes'], 7, map, ctx);
    expect(errors).to.deep.equal([]);
    expect(row!.line).to.equal(7);
    expect(row!.value).to.include({ code: 'JW-1', shop_id: 2, first_name: 'Ann', birthdate: '1990-01-02' });
    expect(row!.value.custom_fields).to.deep.equal({ newsletter: true });
    expect(row!.key).to.deep.equal({ field: 'code', value: 'jw-1' });
  });

  it('reports each bad field of a row with the line number', () => {
    const { row, errors } = parseRow(['', 'Ann', '', 'x', 'bad@', '1990-13-01', 'Nowhere', '', 'maybe'], 12, map, ctx);
    expect(row).to.equal(undefined);
    expect(errors).to.deep.include.members([
      { line: 12, field: 'shop', reason: 'no shop has the code or name "Nowhere"' },
      { line: 12, field: 'last_name', reason: 'is required' },
      { line: 12, field: 'email', reason: 'is not a valid e-mail address' },
      { line: 12, field: 'birthdate', reason: 'must be a date YYYY-MM-DD' },
      { line: 12, field: 'newsletter', reason: 'must be yes or no' },
    ]);
    expect(errors.every((e) => e.line === 12)).to.equal(true);
  });

  it('matches on the code, else the e-mail, else the phone, and refuses a row with none', () => {
    expect(matchKey({ code: 'A1', email: 'a@b.c' }, 'auto')).to.deep.equal({ field: 'code', value: 'a1' });
    expect(matchKey({ email: 'A@B.c', phone: '0612' }, 'auto')).to.deep.equal({ field: 'email', value: 'a@b.c' });
    expect(matchKey({ phone: '06 12 34' }, 'auto')).to.deep.equal({ field: 'phone', value: '061234' });
    expect(matchKey({}, 'auto')).to.be.a('string');
    expect(matchKey({ code: 'A1' }, 'email')).to.equal('is required when matching by e-mail');
  });

  it('detects semicolon files from spreadsheets', () => {
    expect(detectDelimiter('code;first_name;last_name\n1;a;b')).to.equal(';');
    expect(detectDelimiter('code,first_name\n')).to.equal(',');
  });
});
