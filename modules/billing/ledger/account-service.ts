import { ValidationError } from 'tessera/core';
import type { AccountBalance, AccountService, Allocation, BillingProfile, Caller } from '../api';
import { calendarDay, companyFacts, dbOf, inTransaction, locking } from '../shared/caller';
import { appendLedger, lockAccount } from './account-store';
import { openTargets } from './allocation';
import { spendFromCredit } from './credit';
import { profileOf, saveProfile } from './profile-store';

/** Balances, credit and billing profiles of customers. */
export class AccountServiceImpl implements AccountService {
  async balance(caller: Caller, customerId: number): Promise<AccountBalance> {
    const db = dbOf(caller);
    const companyId = db.principal.companyId;
    const account = await db.queryCompany(companyId, 'billing_accounts').where({ customer_id: customerId }).first('balance', 'credit');
    const open = await db
      .queryCompany(companyId, 'billing_documents')
      .where({ customer_id: customerId, kind: 'invoice', status: 'posted' })
      .where('residual', '>', 0)
      .count({ n: '*' })
      .first();
    const facts = await companyFacts(db);
    return { customer_id: customerId, currency: facts.currency, balance: Number(account?.balance ?? 0), credit: Number(account?.credit ?? 0), openInvoices: Number(open?.n ?? 0) };
  }

  spendCredit(
    caller: Caller,
    input: { customerId: number; amount: number; reference: string; invoiceIds?: number[]; consume?: boolean; metadata?: Record<string, unknown> },
  ): Promise<{ spent: number; allocations: Allocation[] }> {
    return inTransaction(caller, async (db) => {
      const errors: Record<string, string> = {};
      if (!Number.isSafeInteger(input.amount) || input.amount <= 0) errors.amount = 'must be a positive amount in minor units';
      if (!String(input.reference ?? '').trim()) errors.reference = 'is required';
      if (Object.keys(errors).length) throw new ValidationError(errors);
      const account = await lockAccount(db, input.customerId);
      const earlier = await locking(db, db.queryCompany(db.principal.companyId, 'billing_allocations').where({ customer_id: input.customerId, reference: input.reference })).select('invoice_id', 'amount');
      if (earlier.length) {
        return { spent: earlier.reduce((s: number, r: Record<string, unknown>) => s + Number(r.amount), 0), allocations: earlier.filter((r: Record<string, unknown>) => r.invoice_id != null).map((r: Record<string, unknown>) => ({ invoice_id: Number(r.invoice_id), amount: Number(r.amount) })) };
      }
      if (input.amount > account.credit) throw new ValidationError({ amount: `must be at most ${account.credit}, the credit available` });
      const facts = await companyFacts(db);
      if (input.consume) {
        const { spent } = await spendFromCredit(db, input.customerId, input.amount, null, input.reference);
        await appendLedger(db, input.customerId, [{ kind: 'credit_spent', amount: spent, date: calendarDay(facts.timezone), description: `Credit used: ${input.reference}` }], -spent);
        return { spent, allocations: [] };
      }
      const targets = await openTargets(db, input.customerId, { invoiceIds: input.invoiceIds ?? null, order: 'oldest' });
      const result = await spendFromCredit(db, input.customerId, input.amount, targets, input.reference);
      await appendLedger(db, input.customerId, [], -result.spent);
      return result;
    });
  }

  profile(caller: Caller, customerId: number): Promise<BillingProfile> {
    return profileOf(dbOf(caller), customerId);
  }

  setProfile(caller: Caller, customerId: number, patch: Partial<Omit<BillingProfile, 'customer_id'>>): Promise<BillingProfile> {
    const errors: Record<string, string> = {};
    if (patch.credit_limit !== undefined && patch.credit_limit !== null && (!Number.isSafeInteger(patch.credit_limit) || patch.credit_limit < 0)) errors.credit_limit = 'must be an amount ≥ 0 in minor units';
    if (patch.payment_terms_days !== undefined && (!Number.isInteger(patch.payment_terms_days) || patch.payment_terms_days < 0 || patch.payment_terms_days > 365)) errors.payment_terms_days = 'must be 0 to 365 days';
    if (Object.keys(errors).length) throw new ValidationError(errors);
    return inTransaction(caller, (db) => saveProfile(db, customerId, patch));
  }
}
