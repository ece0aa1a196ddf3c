import { expect } from 'chai';
import { customerEntity, plainFields, plainFilters } from '../customers/customer-entity';
import { criteriaProperties, customerCreateBody, customerPatchBody, customerSchema } from '../customers/customer-schemas';
import { criteriaToQuery, parseCriteria } from '../customers/customer-criteria';
import { validateCustomer } from '../customers/customer-validation';
import { toCustomer } from '../customers/customer-rows';
import { STANDARD_COLUMNS } from '../import/csv-columns';
import { COMPARED } from '../import/import-plan';
import type { CustomerRow } from '../customers/customer-types';

/**
 * A plain customer field is declared once: a migration adds its column, `customer-entity.ts` declares it,
 * and everything below follows from the declaration. Each rule is checked for every plain field, so a
 * field added tomorrow is checked the same way without touching this file.
 */
describe('crm customer declaration: a plain field is declared once', () => {
  const properties = (schema: { properties?: unknown }) => schema.properties as Record<string, { maxLength?: number }>;

  it('declares the plain fields it has today', () => {
    expect(plainFields.map((f) => f.key)).to.include.members(['classification', 'delivery_route']);
    expect(plainFields.every((f) => customerEntity.field(f.key) === f)).to.equal(true);
  });

  for (const f of plainFields) {
    describe(`${f.key}`, () => {
      it('is in the API: create and patch bodies, the answer, with its length', () => {
        expect(properties(customerCreateBody)).to.have.property(f.key);
        expect(properties(customerPatchBody)[f.key].maxLength).to.equal(f.options.maxLength);
        expect(properties(customerSchema)).to.have.property(f.key);
      });

      it('is validated by its declared rules, the field named', () => {
        const long = 'x'.repeat((f.options.maxLength ?? 64) + 1);
        expect(validateCustomer({ last_name: 'Lee', shop_id: 1, [f.key]: long }).errors).to.have.property(f.key);
        expect(validateCustomer({ [f.key]: '  A   b ' }, { partial: true }).value).to.deep.equal({ [f.key]: 'A b' });
      });

      it('is read from the row, exported and imported under its CSV header, and compared on re-import', () => {
        expect(toCustomer({ [f.key]: 'R9', shop_id: 1 } as unknown as CustomerRow)).to.have.property(f.key, 'R9');
        if (f.csv) expect(STANDARD_COLUMNS as readonly string[]).to.include(f.csv.header);
        expect(COMPARED).to.include(f.key);
      });
    });
  }

  for (const f of plainFilters) {
    it(`filters the list, the export and a group's search by ${f.key}, and links keep the filter`, () => {
      const param = f.filter!.param;
      expect(criteriaProperties).to.have.property(param);
      const criteria = parseCriteria({ [param]: ' R1 ' });
      expect(criteria).to.deep.equal({ [f.key]: 'R1' });
      expect(criteriaToQuery(criteria)).to.deep.equal({ [param]: 'R1' });
    });
  }
});
