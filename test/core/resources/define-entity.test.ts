import { expect } from 'chai';
import { defineEntity, EntityDeclarationError, field, type EntityInput, type EntityPatch, type EntityRow } from '../../../core';
import { cleanInput } from '../../../core/resources/field-rules';
import { entitySchemas } from '../../../core/resources/entity-schemas';
import { orderOf } from '../../../core/resources/entity-query';
import { articleEntity } from '../../fixtures/resources/depot/depot-entities';

const base = {
  name: 'thing',
  table: 'test_things',
  label: { one: 'Thing', many: 'Things' },
  permissions: { read: 'x.thing.read', write: 'x.thing.write' },
  paths: {},
};

describe('core resources: a declaration', () => {
  it('infers the row, create and patch types from its fields (checked by the typechecker)', () => {
    type Row = EntityRow<typeof articleEntity>;
    type Input = EntityInput<typeof articleEntity>;
    const row = {} as Row;
    const nonNull: { sku: string; price: number; active: boolean; status: 'draft' | 'published' | 'retired'; tags: string[]; quantity: number } = row;
    const nullable: { email: string | null; shelf_id: number | null; available_on: string | null } = row;
    // @ts-expect-error a secret is never part of a row
    void row.pin;
    // @ts-expect-error an optional field may be null
    const email: string = row.email;
    const input: Input = { sku: 'a', name: 'b', price: 100, pin: '1234', status: 'retired' };
    // @ts-expect-error a read-only field is not input
    const derived: Input = { sku: 'a', name: 'b', price: 1, stock_value: 5 };
    // @ts-expect-error a required field must be given
    const missing: Input = { sku: 'a', name: 'b' };
    // @ts-expect-error enum values are checked
    const status: EntityPatch<typeof articleEntity> = { status: 'lost' };
    expect([nonNull, nullable, email, input, derived, missing, status]).to.have.length(7);
  });

  it('refuses a declaration that does not hang together, naming the entity and the part', () => {
    const fields = { name: field.text({ label: 'Name', required: true }), blob: field.json({ label: 'Blob' }) };
    const cases: Array<[() => unknown, RegExp]> = [
      [() => defineEntity({ ...base, title: 'nope' as 'name', fields }), /Entity "thing": title "nope" must be one of its fields/],
      [() => defineEntity({ ...base, title: 'name', search: ['blob'], fields }), /search field "blob" must be a text/],
      [() => defineEntity({ ...base, title: 'name', sorts: ['blob'], fields }), /sort "blob" must be a field with plain values/],
      [() => defineEntity({ ...base, title: 'name', fields: { ...fields, company_id: field.integer({ label: 'C' }) } }), /field "company_id" is a column every business table has/],
      [() => defineEntity({ ...base, title: 'name', fields: { ...fields, sort: field.boolean({ label: 'S', filter: true }) } }), /filter parameter "sort" is used twice/],
      [() => defineEntity({ ...base, name: 'Bad Name', title: 'name', fields }), /name must be snake_case/],
    ];
    for (const [declare, message] of cases) expect(declare).to.throw(EntityDeclarationError, message);
  });

  it('sorts by the first declared sort unless asked, newest first when it says so', () => {
    const notes = defineEntity({ ...base, title: 'name', sorts: ['-created_at', 'name'], fields: { name: field.text({ label: 'Name', required: true }) } });
    expect(orderOf(notes, undefined)).to.deep.equal({ column: 'created_at', direction: 'desc', kind: 'instant' });
    expect(orderOf(notes, 'created_at')).to.include({ column: 'created_at', direction: 'asc' });
    expect(orderOf(notes, '-name')).to.include({ column: 'name', direction: 'desc', kind: 'text', nullable: false });
    expect(() => orderOf(notes, 'colour')).to.throw().with.property('fields').that.deep.equals({ sort: 'must be one of created_at, name (- in front for descending)' });
    expect((entitySchemas(notes).listQuery.properties as any).sort.default).to.equal('-created_at');
  });

  it('cleans input field by field, each message naming what is wrong in words', () => {
    const { values, errors } = cleanInput(
      articleEntity,
      { sku: 'has space', name: ' ', email: 'not-mail', phone: 'call me', quantity: -1, price: 12.5, tax_rate: 20000, available_on: '2025-02-30', checked_at: 'soon', status: 'lost', shelf_id: 'x', tags: ['a', 'b', 'c', 'd', 'e', 'f'], stock_value: 3, colour: 'red' },
      'create',
    );
    expect(errors).to.deep.equal({
      sku: 'must be 1 to 32 letters, digits, - or _',
      name: 'is required',
      email: 'must be an e-mail address',
      phone: 'must be a phone number (digits, spaces, + - ( ) . /)',
      quantity: 'must be at least 0',
      price: 'must be an amount in minor units (a whole number: 1250 is 12.50)',
      tax_rate: 'must be at most 100.00 %',
      available_on: 'must be a date (YYYY-MM-DD)',
      checked_at: 'must be a date and time (ISO 8601)',
      status: 'must be one of: draft, published, retired',
      shelf_id: 'must be the id of a record',
      tags: 'must have at most 5 items',
      stock_value: 'is set by the system',
      colour: 'is not a known field',
    });
    // What was not given takes its default; nothing wrong is kept.
    expect(values).to.deep.equal({ active: true });
  });

  it('normalises what it accepts: trimmed text, upper-case codes, de-duplicated lists, ISO instants', () => {
    const { values, errors } = cleanInput(articleEntity, { sku: ' ab-1 ', name: ' Bolt ', price: '1250', tags: [' a ', 'a', '', 'b'], checked_at: '2025-03-01T10:00:00+01:00', pin: '1234' }, 'create');
    expect(errors).to.deep.equal({});
    expect(values).to.include({ sku: 'AB-1', name: 'Bolt', price: 1250, checked_at: '2025-03-01T09:00:00.000Z', quantity: 0, tax_rate: 2000, active: true, status: 'draft', pin: '1234' });
    expect(values.tags).to.deep.equal(['a', 'b']);
    // On an update, only what is given is cleaned, and an empty secret keeps the stored one.
    expect(cleanInput(articleEntity, { name: 'New', pin: '' }, 'update')).to.deep.equal({ values: { name: 'New' }, errors: {} });
    expect(cleanInput(articleEntity, { company_id: 2, status: null }, 'update').errors).to.deep.equal({ company_id: 'cannot be changed', status: 'cannot be empty' });
    expect(cleanInput(articleEntity, { sku: 'A', name: 'B', price: 1, status: '' }, 'create').values).to.include({ status: 'draft' });
  });

  it('derives the API schemas: required fields, read-only and secret ones where they belong, filters and sorts', () => {
    const schemas = entitySchemas(articleEntity);
    expect(schemas.create.required).to.deep.equal(['sku', 'name', 'price']);
    const create = schemas.create.properties as Record<string, any>;
    expect(create).to.have.property('pin').and.not.to.have.property('stock_value');
    expect(create.status).to.include({ default: 'draft' });
    expect(create.status.enum).to.deep.equal(['draft', 'published', 'retired']);
    expect(create.email.type).to.deep.equal(['string', 'null']);
    expect((schemas.patch.properties as any).status).not.to.have.property('default');
    const row = schemas.row.properties as Record<string, any>;
    expect(row).to.have.property('stock_value').and.not.to.have.property('pin');
    expect(row.email.type).to.deep.equal(['string', 'null']);
    const query = schemas.listQuery.properties as Record<string, any>;
    expect(Object.keys(query)).to.include.members(['q', 'quantity_from', 'quantity_to', 'price_from', 'active', 'available_on_from', 'checked_at_to', 'status', 'shelf_id', 'sort', 'after', 'limit']);
    expect(query.sort.enum).to.include.members(['name', '-name', 'price', '-created_at']);
  });
});
