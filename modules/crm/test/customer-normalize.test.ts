import { expect } from 'chai';
import { normalizeEmail, normalizePhone, normalizeText, prefixPlan, searchColumns } from '../../crm/customers/customer-normalize';

describe('crm search normalization', () => {
  it('lowercases names, strips accents and collapses spaces', () => {
    expect(normalizeText('  Zoë   Ölçer-Núñez ')).to.equal('zoe olcer-nunez');
  });

  it('keeps only the digits of a phone', () => {
    expect(normalizePhone('+33 (0)6 12-34.56')).to.equal('330612 3456'.replace(' ', ''));
  });

  it('lowercases and trims e-mails', () => {
    expect(normalizeEmail('  Ann.Lee@Example.COM ')).to.equal('ann.lee@example.com');
  });

  it('stores the name in both orders so either name is a prefix', () => {
    const cols = searchColumns({ first_name: 'Émile', last_name: 'Zola', code: 'CU-000001', phone: '06 12', email: 'E@X.org' });
    expect(cols).to.deep.equal({ name_norm: 'emile zola', name_rev_norm: 'zola emile', code_norm: 'cu-000001', phone_norm: '0612', email_norm: 'e@x.org' });
  });

  it('searches phones only for digit queries and names only for letter queries', () => {
    expect(prefixPlan('06 12').map((p) => p.column)).to.deep.equal(['code_norm', 'phone_norm']);
    expect(prefixPlan('06 12').find((p) => p.column === 'phone_norm')!.prefix).to.equal('0612');
    expect(prefixPlan('Dup').map((p) => p.column)).to.deep.equal(['code_norm', 'name_norm', 'name_rev_norm', 'email_norm']);
    expect(prefixPlan('  ')).to.deep.equal([]);
    // Two or three digits ("06") match a large share of all phones: not worth a scan.
    expect(prefixPlan('06').map((p) => p.column)).to.deep.equal(['code_norm']);
  });

  it('looks up e-mails from three characters on, or as soon as the text has an @', () => {
    expect(prefixPlan('k').map((p) => p.column)).to.deep.equal(['code_norm', 'name_norm', 'name_rev_norm']);
    expect(prefixPlan('ka').map((p) => p.column)).to.not.include('email_norm');
    expect(prefixPlan('kar').map((p) => p.column)).to.include('email_norm');
    expect(prefixPlan('k@').find((p) => p.column === 'email_norm')!.prefix).to.equal('k@');
  });

  it('normalizes the query the way the columns are stored', () => {
    const plan = prefixPlan('ÉMILE  Z');
    expect(plan.find((p) => p.column === 'name_norm')!.prefix).to.equal('emile z');
  });
});
