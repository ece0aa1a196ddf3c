import crypto from 'node:crypto';
import { ConflictError, RequestContext, ValidationError, type ScopedDb } from 'tessera/core';
import type { Container } from 'inversify';
import type { LoyaltyPointsService, PointsCaller, PointsStatement } from '../api';
import { ACCOUNTS, appendLine, existingLine, inTransaction, ledgerOf, lockAccount, type LedgerLine } from './points-ledger';
import type { PointsPorts } from './points-ports';
import { redeem, type RedemptionInput, type RedemptionResult } from './points-redemption';
import { pointsValue } from './points-rules';
import { readSettings, saveSettings, type PointsSettings } from './points-settings';

function dbOf(caller: PointsCaller): ScopedDb {
  return caller instanceof RequestContext ? caller.db : caller;
}

/** The points part of loyalty's service, for routes, pages and other modules. */
export class PointsService implements LoyaltyPointsService {
  constructor(
    private readonly ports: PointsPorts,
    private readonly container: Container,
  ) {}

  /** A request context over a handler's transaction, for crm's services that take one. */
  contextOf(caller: PointsCaller): RequestContext {
    return caller instanceof RequestContext ? caller : new RequestContext(caller.principal, caller, this.container);
  }

  settings(caller: PointsCaller): Promise<PointsSettings> {
    return readSettings(dbOf(caller));
  }

  saveSettings(caller: PointsCaller, patch: Partial<PointsSettings>): Promise<PointsSettings> {
    return saveSettings(this.ports, dbOf(caller), patch);
  }

  /** 404 for a customer of another company (crm decides), before anything about points is said. */
  private async customer(caller: PointsCaller, customerId: number): Promise<void> {
    await this.ports.customers().get(this.contextOf(caller), customerId);
  }

  async balance(caller: PointsCaller, customerId: number): Promise<number> {
    const db = dbOf(caller);
    const row = await db.queryCompany(db.principal.companyId, ACCOUNTS).where({ customer_id: customerId }).first('balance');
    return Number(row?.balance ?? 0);
  }

  async statement(caller: PointsCaller, customerId: number): Promise<PointsStatement> {
    await this.customer(caller, customerId);
    const db = dbOf(caller);
    const settings = await readSettings(db);
    const { balance, card_number, ledger } = await ledgerOf(db, customerId);
    return { customer_id: customerId, balance, value: Number(pointsValue(settings, Math.max(0, balance))), card_number, ledger };
  }

  /** The redemption line already written for a document, if any. */
  async spentOn(caller: PointsCaller, kind: 'invoice' | 'order', documentId: number): Promise<LedgerLine | null> {
    return existingLine(dbOf(caller), `spend:${kind}:${documentId}`);
  }

  redeem(caller: PointsCaller, input: RedemptionInput): Promise<RedemptionResult> {
    return redeem(this.ports, dbOf(caller), input);
  }

  /** A hand adjustment with its reason (audited); a removal cannot take the balance below zero. */
  async adjust(caller: PointsCaller, customerId: number, points: number, reason: string, key: string = crypto.randomUUID()): Promise<PointsStatement> {
    if (!Number.isSafeInteger(points) || points === 0) throw new ValidationError({ points: 'must be a whole number of points, not 0' });
    if (!String(reason ?? '').trim()) throw new ValidationError({ reason: 'is required: say why the points change' });
    await this.customer(caller, customerId);
    await inTransaction(dbOf(caller), async (db) => {
      await lockAccount(db, customerId);
      await appendLine(db, { customerId, kind: 'adjusted', points, sourceKey: `adjust:${key}`, reason: reason.trim() }, { guard: true });
    });
    return this.statement(caller, customerId);
  }

  /** Gives the customer a loyalty card number (or takes it away with null); unique per company. */
  async setCard(caller: PointsCaller, customerId: number, cardNumber: string | null): Promise<PointsStatement> {
    await this.customer(caller, customerId);
    const card = cardNumber === null ? null : String(cardNumber).trim().toUpperCase();
    if (card !== null && !/^[A-Z0-9-]{3,64}$/.test(card)) throw new ValidationError({ card_number: 'letters, digits and dashes, 3 to 64' });
    await inTransaction(dbOf(caller), async (db) => {
      const account = await lockAccount(db, customerId);
      if (card) {
        const other = await db.queryCompany(db.principal.companyId, ACCOUNTS).where({ card_number: card }).whereNot({ customer_id: customerId }).first('customer_id');
        if (other) throw new ConflictError(`Card ${card} belongs to customer ${other.customer_id}`);
      }
      await db.update(ACCOUNTS, account.id, { card_number: card });
    });
    return this.statement(caller, customerId);
  }
}
