import { expect } from 'chai';
import { parseTags, validateCustomer } from '../../crm/customers/customer-validation';
import { parseCriteria } from '../../crm/customers/customer-criteria';

describe('crm customer validation', () => {
  const today = '2025-06-01';

  it('accepts a complete customer and cleans it', () => {
    const { value, errors } = validateCustomer(
      { first_name: ' Ann ', last_name: 'Lee', phone: '+33 6 12 34 56 78', email: 'ann@example.com', birthdate: '1990-02-28', shop_id: '3', tags: 'VIP, gold;vip' },
      { today },
    );
    expect(errors).to.deep.equal({});
    expect(value).to.include({ first_name: 'Ann', last_name: 'Lee', shop_id: 3, birthdate: '1990-02-28', code: null });
    expect(value.tags).to.deep.equal(['vip', 'gold']);
  });

  it('names every bad field with its reason', () => {
    const { errors } = validateCustomer({ last_name: '', phone: 'call me', email: 'nope', birthdate: '2025-02-30', shop_id: 'x', code: 'a b' }, { today });
    expect(errors).to.deep.equal({
      code: 'may hold only letters, digits and . _ - /',
      last_name: 'is required',
      phone: 'may hold only digits, spaces and + ( ) - . /',
      email: 'is not a valid e-mail address',
      birthdate: 'must be a date YYYY-MM-DD',
      shop_id: 'must be a shop id',
    });
  });

  it('refuses a birthdate in the future', () => {
    expect(validateCustomer({ last_name: 'X', shop_id: 1, birthdate: '2030-01-01' }, { today }).errors.birthdate).to.equal('cannot be in the future');
  });

  it('checks custom fields against the company definitions', () => {
    const customFields = [
      { key: 'loyalty_level', label: 'Level', type: 'select' as const, options: ['gold', 'silver'], required: true },
      { key: 'children', label: 'Children', type: 'number' as const },
    ];
    const bad = validateCustomer({ last_name: 'X', shop_id: 1, custom_fields: { loyalty_level: 'bronze', children: 'two', shoe_size: 42 } }, { customFields, today });
    expect(bad.errors).to.deep.equal({
      'custom_fields.shoe_size': 'is not a custom field of this company',
      'custom_fields.loyalty_level': 'must be one of: gold, silver',
      'custom_fields.children': 'must be a number',
    });
    const missing = validateCustomer({ last_name: 'X', shop_id: 1 }, { customFields, today });
    expect(missing.errors).to.deep.equal({ 'custom_fields.loyalty_level': 'is required' });
    const good = validateCustomer({ last_name: 'X', shop_id: 1, custom_fields: { loyalty_level: 'gold', children: '2' } }, { customFields, today });
    expect(good.value.custom_fields).to.deep.equal({ loyalty_level: 'gold', children: 2 });
  });

  it('validates only the fields of a patch', () => {
    const { value, errors } = validateCustomer({ phone: '0612345678' }, { partial: true, today });
    expect(errors).to.deep.equal({});
    expect(value).to.deep.equal({ phone: '0612345678' });
    expect(validateCustomer({ code: '' }, { partial: true }).errors.code).to.equal('cannot be emptied');
  });

  it('parses tags from a cell or a list', () => {
    expect(parseTags('a, b; c | a').tags).to.deep.equal(['a', 'b', 'c']);
    expect(parseTags(['X', ' y ']).tags).to.deep.equal(['x', 'y']);
    expect(parseTags('<script>').error).to.match(/may hold only/);
  });

  it('parses the list criteria and names bad ones', () => {
    expect(parseCriteria({ q: ' ann ', shop_id: '1,2', birth_month: '3', created_from: '2024-01-01' })).to.deep.equal({ q: 'ann', shop_ids: [1, 2], birth_month: 3, created_from: '2024-01-01' });
    expect(() => parseCriteria({ birth_month: '13', created_to: 'yesterday' })).to.throw().with.property('fields').that.deep.equals({
      created_to: 'must be a date YYYY-MM-DD',
      birth_month: 'must be a month number 1 to 12',
    });
  });
});
