import { expect } from 'chai';
import Handlebars from 'handlebars';
import { buildQueryString, formatDate, formatDateTime, formatMoney, registerHelpers } from '../../../core/views/helpers';

describe('view helpers', () => {
  const hb = Handlebars.create();
  registerHelpers(hb);
  const render = (template: string, data: Record<string, unknown> = {}) => hb.compile(template)(data);

  it('compares loosely across numbers and form strings', () => {
    expect(render('{{#if (eq a "3")}}yes{{/if}}', { a: 3 })).to.equal('yes');
    expect(render('{{#if (neq a b)}}yes{{else}}no{{/if}}', { a: 1, b: 1 })).to.equal('no');
    expect(render('{{#if (eq missing null)}}yes{{/if}}', {})).to.equal('yes');
    expect(render('{{#eq a 1}}one{{else}}other{{/eq}}', { a: 2 })).to.equal('other');
  });

  it('combines with and/or/not and compares with gt/lt', () => {
    expect(render('{{#if (and a b c)}}y{{else}}n{{/if}}', { a: 1, b: 'x', c: true })).to.equal('y');
    expect(render('{{#if (and a b)}}y{{else}}n{{/if}}', { a: 1, b: [] })).to.equal('n');
    expect(render('{{#if (or a b)}}y{{else}}n{{/if}}', { a: 0, b: 'x' })).to.equal('y');
    expect(render('{{#if (not a)}}y{{else}}n{{/if}}', { a: 0 })).to.equal('y');
    expect(render('{{#if (gt a 2)}}y{{/if}}{{#if (lt a 2)}}z{{/if}}', { a: 3 })).to.equal('y');
  });

  it('finds values in arrays with includes', () => {
    expect(render('{{#if (includes ids 2)}}y{{else}}n{{/if}}', { ids: ['1', '2'] })).to.equal('y');
    expect(render('{{#if (includes ids 5)}}y{{else}}n{{/if}}', { ids: [1, 2] })).to.equal('n');
    expect(render('{{#if (includes nothing 5)}}y{{else}}n{{/if}}', {})).to.equal('n');
  });

  it('renders JSON that stays inside an attribute', () => {
    const html = render('<div data-x="{{json v}}"></div>', { v: { a: '"><script>alert(1)</script>', n: 1 } });
    expect(html).not.to.contain('<script>');
    expect(html).to.contain('&quot;a&quot;');
    expect(render('<div data-x="{{{json v}}}"></div>', { v: 'x"y' })).to.equal('<div data-x="&quot;x\\&quot;y&quot;"></div>');
  });

  it('formats calendar days and instants', () => {
    expect(formatDate('2024-03-05')).to.equal('2024-03-05');
    expect(formatDate(Date.UTC(2024, 2, 5, 23, 30))).to.equal('2024-03-05');
    expect(formatDate(new Date(Date.UTC(2024, 2, 5, 23, 30)), 'Europe/Berlin')).to.equal('2024-03-06');
    expect(formatDateTime('2024-03-05 08:07:00')).to.equal('2024-03-05 08:07');
    expect(formatDate(null)).to.equal('');
    expect(formatDate('garbage')).to.equal('');
    // The template helper takes the zone from the current company.
    expect(render('{{formatDateTime d}}', { d: new Date(Date.UTC(2024, 0, 1, 12, 0)), company: { timezone: 'America/New_York' } })).to.equal('2024-01-01 07:00');
  });

  it('formats integer minor units with the currency\'s digits, without floats', () => {
    expect(formatMoney(123456, 'EUR')).to.equal('1,234.56 EUR');
    expect(formatMoney(-5, 'EUR')).to.equal('-0.05 EUR');
    expect(formatMoney(1234, 'JPY')).to.equal('1,234 JPY');
    expect(formatMoney(1234, 'KWD')).to.equal('1.234 KWD');
    expect(formatMoney('900719925474099312', 'usd')).to.equal('9,007,199,254,740,993.12 USD');
    expect(formatMoney(null, 'EUR')).to.equal('');
    expect(render('{{formatMoney a "EUR"}}|{{formatMoney a}}', { a: 100, company: { currency: 'GBP' } })).to.equal('1.00 EUR|1.00 GBP');
  });

  it('builds query strings from the current query with overrides', () => {
    expect(buildQueryString({ q: 'a b', after: '', page: null })).to.equal('?q=a+b');
    expect(buildQueryString({})).to.equal('');
    expect(render('{{queryString after=cursor}}', { query: { q: 'x&y', after: 'old' }, cursor: 'abc' })).to.equal('?q=x%26y&amp;after=abc');
    expect(render('{{queryString after=""}}', { query: { q: 'x', after: 'old' } })).to.equal('?q=x');
    expect(render('{{queryString tag=tags}}', { query: {}, tags: ['a', 'b'] })).to.equal('?tag=a&amp;tag=b');
  });

  it('checks permissions against the page root, also inside loops', () => {
    const data = { permissions: ['crm.customer.write'], items: [1] };
    expect(render('{{#if (can "crm.customer.write")}}y{{else}}n{{/if}}', data)).to.equal('y');
    expect(render('{{#each items}}{{#if (can "crm.customer.delete")}}y{{else}}n{{/if}}{{/each}}', data)).to.equal('n');
    expect(render('{{#if (can "anything.at.all")}}y{{/if}}', { isSuperAdmin: true })).to.equal('y');
  });

  it('emits an escaped CSRF field', () => {
    expect(render('{{csrf}}', { csrfToken: 'a"b' })).to.equal('<input type="hidden" name="_csrf" value="a&quot;b">');
    expect(render('{{#each xs}}{{csrf}}{{/each}}', { csrfToken: 't', xs: [1] })).to.equal('<input type="hidden" name="_csrf" value="t">');
  });
});
