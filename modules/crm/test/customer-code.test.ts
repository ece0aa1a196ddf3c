import { expect } from 'chai';
import { codeFormatProblem, codeProblem, formatCustomerCode } from '../../crm/customers/customer-code';

describe('crm customer code format', () => {
  it('pads the sequence number to the width of {seq:N}', () => {
    expect(formatCustomerCode('JW-{seq:6}', 42)).to.equal('JW-000042');
    expect(formatCustomerCode('CU{seq}', 7)).to.equal('CU7');
  });

  it('accepts year and month placeholders', () => {
    expect(formatCustomerCode('{year}/{seq:3}', 5, new Date('2025-04-02T00:00:00Z'))).to.equal('2025/005');
  });

  it('refuses a format without exactly one {seq}', () => {
    expect(codeFormatProblem('JW-')).to.match(/\{seq\}/);
    expect(codeFormatProblem('{seq}-{seq}')).to.match(/exactly once/);
    expect(codeFormatProblem('A-{foo}-{seq}')).to.match(/unknown placeholder/);
    expect(codeFormatProblem('JW-{seq:6}')).to.equal(null);
  });

  it('falls back to the default format rather than producing colliding codes', () => {
    expect(formatCustomerCode('broken', 3)).to.equal('CU-000003');
  });

  it('checks codes typed by people', () => {
    expect(codeProblem('JW-000001')).to.equal(null);
    expect(codeProblem('has space')).to.match(/letters, digits/);
    expect(codeProblem('')).to.equal('is required');
  });
});
