import { expect } from 'chai';
import { validateInput } from '../../../core/http/validation';
import { forbiddenQueryKeyFields, MAX_DEPTH } from '../../../core/http/input-guards';
import { idListSchema, idParams, parseId } from '../../../core/http/id-schemas';
import { MAX_ID } from '../../../core/db/schema-helpers';

function refusal(work: () => unknown): { status: number; fields: Record<string, string> } {
  try {
    work();
  } catch (error: any) {
    return { status: error.status, fields: { ...error.fields } };
  }
  throw new Error('expected a refusal');
}

describe('request input checks', () => {
  const listQuery = { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 200 }, active: { type: 'boolean' }, q: { type: 'string' } } };

  it('reads an id in a path only as decimal digits within the database range', () => {
    expect(validateInput<any>(idParams, { id: '42' }, 'params').id).to.equal(42);
    expect(validateInput<any>(idParams, { id: String(MAX_ID) }, 'params').id).to.equal(MAX_ID);
    for (const bad of ['Infinity', '+1', ' 1', '0x10', '1e3', '-1', '0', '1.0', String(MAX_ID + 1), '99999999999999999999', '']) {
      const { status, fields } = refusal(() => validateInput(idParams, { id: bad }, 'params'));
      expect(status, bad).to.equal(422);
      expect(fields, bad).to.have.property('id');
    }
  });

  it('coerces query text to the declared type only when it is written as one', () => {
    expect(validateInput<any>(listQuery, { limit: '20', active: 'true', q: '12' }, 'query')).to.deep.equal({ limit: 20, active: true, q: '12' });
    expect(refusal(() => validateInput(listQuery, { limit: '2e1' }, 'query')).fields).to.deep.equal({ limit: 'must be an integer written in decimal digits' });
    expect(refusal(() => validateInput(listQuery, { limit: '9007199254740993' }, 'query')).fields).to.deep.equal({ limit: 'is too large' });
    const byIds = { type: 'object', properties: { ids: { type: 'array', items: { type: 'integer' } } } };
    expect(validateInput<any>(byIds, { ids: ['1', '2'] }, 'query').ids).to.deep.equal([1, 2]);
    expect(refusal(() => validateInput(byIds, { ids: ['1', '0x10'] }, 'query')).fields).to.deep.equal({ 'ids.1': 'must be an integer written in decimal digits' });
  });

  it('takes JSON bodies as typed: a number sent as text is refused, not converted', () => {
    const body = { type: 'object', properties: { shop_id: { type: 'integer' }, ids: idListSchema() } };
    expect(refusal(() => validateInput(body, { shop_id: '7' }, 'body')).fields).to.have.property('shop_id');
    expect(refusal(() => validateInput(body, { ids: [1, '0x10'] }, 'body')).fields).to.have.property('ids.1');
  });

  it('holds every integer to the safe range, even one the schema leaves unbounded', () => {
    const body = { type: 'object', properties: { count: { type: 'integer' } } };
    expect(refusal(() => validateInput(body, { count: 1e300 }, 'body')).fields).to.have.property('count');
    expect(validateInput<any>(body, { count: -5 }, 'body').count).to.equal(-5);
  });

  it('names prototype-reaching keys at any depth, where a plain object would have lost them', () => {
    const open = { type: 'object', properties: { custom_fields: { type: 'object' } } };
    const parsed = JSON.parse('{"custom_fields":{"a":{"__proto__":{"polluted":1}}},"constructor":1}');
    const { status, fields } = refusal(() => validateInput(open, parsed, 'body'));
    expect(status).to.equal(422);
    expect(fields).to.have.keys('custom_fields.a.__proto__', 'constructor');
    const closed = { type: 'object', additionalProperties: false, properties: { name: { type: 'string' } } };
    expect(refusal(() => validateInput(closed, JSON.parse('{"prototype":1}'), 'body')).fields).to.have.keys('prototype');
  });

  it('finds prototype keys in the query text, which the query parser drops without a word', () => {
    expect(forbiddenQueryKeyFields('/api/v1/x?constructor=1&a[__proto__][b]=2&ok=1')).to.deep.equal({ constructor: 'is not an allowed field name', 'a.__proto__': 'is not an allowed field name' });
    expect(forbiddenQueryKeyFields('/api/v1/x?limit=1')).to.deep.equal({});
  });

  it('refuses nesting deeper than any schema goes, naming the top-level field', () => {
    let deep: unknown = 1;
    for (let i = 0; i < MAX_DEPTH + 5; i++) deep = [deep];
    expect(refusal(() => validateInput({ type: 'object' }, { tags: deep }, 'body')).fields).to.deep.equal({ tags: `nests deeper than ${MAX_DEPTH} levels` });
  });

  it('parses ids from text (forms, comma lists) by the same rule', () => {
    expect(['7', '007', 7].map(parseId)).to.deep.equal([7, 7, 7]);
    expect(['0', '-1', '1e3', '0x10', ' 1', '', String(MAX_ID + 1), 1.5, null].map(parseId)).to.deep.equal(Array(9).fill(null));
  });
});
