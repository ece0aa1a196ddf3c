import { expect } from 'chai';
import { csvColumns, type CsvColumn } from '../../../core';
import type { DisplayContext } from '../../../core/resources/field-display';
import { articleEntity } from '../../fixtures/resources/depot/depot-entities';

describe('core resources: CSV columns from a declaration', () => {
  const columns = new Map(csvColumns(articleEntity).map((c) => [c.key, c]));
  const column = (key: string): CsvColumn => columns.get(key)!;
  const place = { timeZone: 'Europe/Paris', currencyOf: () => 'JPY' };
  const dc: DisplayContext = { ...place, refs: new Map([['depot.shelf', new Map([[7, { title: 'Top shelf', company_id: 1 }]])]]) };

  it('has a column per field but secrets, headed by its key, knowing what the import must have', () => {
    expect([...columns.keys()]).to.deep.equal(['sku', 'name', 'email', 'phone', 'quantity', 'price', 'tax_rate', 'active', 'available_on', 'checked_at', 'status', 'shelf_id', 'tags', 'notes', 'details', 'stock_value']);
    expect([...columns.values()].filter((c) => c.required).map((c) => c.key)).to.deep.equal(['sku', 'name', 'price']);
    expect(column('price')).to.include({ header: 'price', label: 'Price', kind: 'money' });
  });

  it('writes cells a spreadsheet shows as they are, and reads them back to the same values', () => {
    const row = { price: 1250, tax_rate: 550, active: true, checked_at: '2025-03-30T01:30:00.000Z', shelf_id: 7, tags: ['a', 'b'], name: '@SUM(1)', quantity: -3 };
    const cells = Object.fromEntries(Object.entries(row).map(([key, value]) => [key, column(key).format(value, row, dc)]));
    expect(cells).to.deep.equal({ price: '1250', tax_rate: '5.50', active: 'yes', checked_at: '2025-03-30T01:30:00.000Z', shelf_id: 'Top shelf', tags: 'a, b', name: "'@SUM(1)", quantity: '-3' });
    expect(column('price').parse('1250', {}, place)).to.deep.equal({ value: 1250 });
    expect(column('tax_rate').parse('5.5', {}, place)).to.deep.equal({ value: 550 });
    expect(column('active').parse('No', {}, place)).to.deep.equal({ value: false });
    expect(column('name').parse("'@SUM(1)", {}, place)).to.deep.equal({ value: '@SUM(1)' });
    expect(column('tags').parse('a, b', {}, place)).to.deep.equal({ value: ['a', 'b'] });
    // A wall-clock time is read on the company's calendar (Paris, summer time from that night).
    expect(column('checked_at').parse('2025-03-30 03:30', {}, place)).to.deep.equal({ value: '2025-03-30T01:30:00.000Z' });
    expect(column('checked_at').parse('2025-03-30T01:30:00Z', {}, place)).to.deep.equal({ value: '2025-03-30T01:30:00.000Z' });
    // A ref's cell names the record by title; the importer looks it up through the target's service.
    expect(column('shelf_id').parse('Top shelf', {}, place)).to.deep.equal({ lookup: { target: 'depot.shelf', text: 'Top shelf' } });
  });

  it('says what is wrong with a cell it cannot read', () => {
    expect(column('price').parse('12.5', {}, place)).to.deep.equal({ error: 'must be an amount in JPY, like 12.50' });
    expect(column('active').parse('maybe', {}, place)).to.deep.equal({ error: 'must be yes or no' });
    expect(column('details').parse('{nope', {}, place)).to.deep.equal({ error: 'must be valid JSON' });
    expect(column('checked_at').parse('someday', {}, place)).to.deep.equal({ error: 'must be a date and time' });
  });
});
