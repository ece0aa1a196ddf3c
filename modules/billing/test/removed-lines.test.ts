import { expect } from 'chai';
import type { DocumentLine } from '../api';
import { linesRemoved } from '../documents/removed-lines';

const line = (product_code: string, unit_price: number, description = product_code, quantity = 1): DocumentLine =>
  ({ id: 0, product_code, description, quantity, unit_price, tax_rate: 0, subtotal: quantity * unit_price, tax: 0, amount: quantity * unit_price }) as DocumentLine;

describe('billing: the lines an edit removed from a draft', () => {
  it('are the lines of before that after no longer holds, matched on product, description, quantity and price', () => {
    const coupon = line('DISC', -500, 'Coupon SPRING');
    const removed = linesRemoved([line('ITEM', 1000), coupon], [line('ITEM', 1000)]);
    expect(removed).to.deep.equal([{ product_code: 'DISC', description: 'Coupon SPRING', quantity: 1, unit_price: -500, amount: -500 }]);
  });

  it('count as a multiset: two equal lines saved back as one removed one of them', () => {
    expect(linesRemoved([line('ITEM', 1000), line('ITEM', 1000)], [line('ITEM', 1000)])).to.have.length(1);
    expect(linesRemoved([line('ITEM', 1000)], [line('ITEM', 1000), line('ITEM', 1000)])).to.deep.equal([]);
  });

  it('a line saved back with another price was removed (and a new one added)', () => {
    expect(linesRemoved([line('PTS', -1000, '200 points')], [line('PTS', -500, '200 points')])).to.have.length(1);
  });
});
