import { idList, type JsonSchema } from 'tessera/core';

const id: JsonSchema = { type: 'integer', minimum: 1, maximum: 4_294_967_295 };
export const money: JsonSchema = { type: 'integer', minimum: -9_000_000_000_000, maximum: 9_000_000_000_000, description: 'Minor units of the currency' };
export const positiveMoney: JsonSchema = { ...money, minimum: 1 };

export function body(required: string[], properties: Record<string, JsonSchema>): JsonSchema {
  return { type: 'object', additionalProperties: false, required, properties };
}

export const lineSchema: JsonSchema = body(['product_code', 'quantity'], {
  product_code: { type: 'string', minLength: 1, maxLength: 32 },
  quantity: { type: 'integer', minimum: -1_000_000, maximum: 1_000_000, not: { const: 0 } },
  unit_price: money,
  description: { type: 'string', maxLength: 500 },
  tax_exempt: { type: 'boolean' },
});

export const documentBody = body(['customer_id', 'lines'], {
  customer_id: id,
  journal_id: id,
  lines: { type: 'array', maxItems: 500, items: lineSchema },
  post: { type: 'boolean', description: 'Invoices: post at once' },
  due_date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
  metadata: { type: 'object' },
});

export const paymentBody = body(['customer_id', 'journal_id', 'amount', 'method', 'reference'], {
  customer_id: id,
  journal_id: id,
  amount: positiveMoney,
  method: { type: 'string', enum: ['cash', 'card', 'bank', 'mobile_money', 'online'] },
  reference: { type: 'string', minLength: 1, maxLength: 120, description: 'Unique per company and journal: the same reference again answers the existing payment' },
  status: { type: 'string', enum: ['processing', 'paid'], default: 'paid' },
  invoice_ids: idList,
  allocate: { type: 'boolean', default: true },
  metadata: { type: 'object' },
  paid_at: { type: 'string', format: 'date-time', description: 'When the money was really paid (an offline receipt recorded later); default now, never in the future' },
});

export const creditNoteBody = body(['customer_id', 'journal_id', 'amount', 'reason'], {
  customer_id: id,
  journal_id: id,
  amount: positiveMoney,
  reason: { type: 'string', minLength: 1, maxLength: 500 },
  invoice_id: id,
});

export const listQuery: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    customer_id: id,
    journal_id: id,
    status: { type: 'string', maxLength: 20 },
    from: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
    to: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
    q: { type: 'string', maxLength: 60, description: 'Prefix of the number or reference' },
    after: { type: 'string', pattern: '^\\d{1,10}$', description: 'The `next_cursor` of the previous page' },
    limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
    format: { type: 'string', enum: ['json', 'csv'], default: 'json' },
  },
};

const line: JsonSchema = {
  type: 'object',
  properties: {
    product_code: { type: 'string' }, description: { type: 'string' }, quantity: { type: 'integer' }, unit_price: money,
    tax_rate: { type: 'integer', description: 'Basis points' }, subtotal: money, tax: money, amount: money,
  },
};

export const documentSchema: JsonSchema = {
  type: 'object',
  required: ['id', 'kind', 'number', 'status', 'currency', 'total', 'residual'],
  properties: {
    id, kind: { type: 'string' }, customer_id: id, journal_id: id, number: { type: ['string', 'null'] }, status: { type: 'string' },
    currency: { type: 'string' }, subtotal: money, tax: money, total: money, residual: money, tax_exempt: { type: 'boolean' },
    issue_date: { type: 'string' }, due_date: { type: ['string', 'null'] }, delivery_status: { type: ['string', 'null'] },
    lines: { type: 'array', items: line },
  },
};

export const paymentSchema: JsonSchema = {
  type: 'object',
  required: ['id', 'amount', 'currency', 'status', 'reference'],
  properties: {
    id, customer_id: id, journal_id: id, amount: money, currency: { type: 'string' }, method: { type: 'string' }, reference: { type: 'string' },
    status: { type: 'string' }, unallocated: money, created: { type: 'boolean' }, paid_at: { type: ['string', 'null'], format: 'date-time' },
    allocations: { type: 'array', items: { type: 'object', properties: { invoice_id: id, amount: money } } },
  },
};
