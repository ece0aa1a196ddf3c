import type { Container } from 'inversify';
import { CORE, ConfigurationError, ValidationError, type EntityService, type RequestContext, type ScopedDb, type UserSummary, type userEntity } from 'tessera/core';
import { BILLING, type AccountService } from '../../billing/api';
import { MESSAGING, type OtpService } from '../../messaging/api';
import type { Ports } from '../billing/billing-ports';
import { companyZone } from '../plans/company-clock';

/** What gold plans use beyond the pay plans' ports: billing's accounts, messaging's OTP, the company's time zone, core's users. */
export interface GoldPorts extends Ports {
  accounts(): AccountService;
  otp(): OtpService;
  zone(db: ScopedDb): Promise<string>;
  /** Whether the user works in the company (a team member who may be named on its plans). */
  teamMember(companyId: number, userId: number): Promise<boolean>;
}

/** Core's user service is the user entity's: its refs' look-up is all a team member's check needs. */
type Users = Pick<EntityService<typeof userEntity, UserSummary>, 'refTargets'>;

interface SystemContexts {
  system(companyIds: number[], companyId?: number): RequestContext;
}

export function goldPortsOf(container: Container, ports: Ports): GoldPorts {
  return {
    ...ports,
    accounts: () => container.get<AccountService>(BILLING.Accounts),
    otp: () => container.get<OtpService>(MESSAGING.Otp),
    zone: (db) => companyZone(ports, db),
    // Core's users as seen from that company alone (users are visible to those sharing a company with
    // them): one statement, and the caller needs no user permission to name a colleague, as a ref.
    teamMember: async (companyId, userId) => {
      const inCompany = container.get<SystemContexts>(CORE.Contexts).system([companyId], companyId);
      return (await container.get<Users>(CORE.Users).refTargets(inCompany, [userId])).has(userId);
    },
  };
}

export type Mode = 'cash' | 'card' | 'bank' | 'mobile_money' | 'online';
export const MODES: readonly Mode[] = ['cash', 'card', 'bank', 'mobile_money', 'online'];
const KIND_OF_MODE: Record<Mode, string[]> = { cash: ['cash'], card: ['bank'], bank: ['bank'], mobile_money: ['mobile_money'], online: ['bank', 'mobile_money'] };

interface Settings {
  gold_payment_journal?: string;
  gold_credit_journal?: string;
}

/**
 * The billing journal an instalment goes to: the one asked for, else the `gold_payment_journal`
 * setting, else the company's first active journal of the mode's kind (cash, bank, mobile money).
 * Read outside the payment's transaction (SQLite's one connection is held by it).
 */
export async function paymentJournal(ports: GoldPorts, ctx: RequestContext, mode: Mode, journalId?: number): Promise<number> {
  if (journalId) {
    const journal = await ports.catalog().journal(ctx, journalId).catch(() => null);
    if (!journal || !journal.active || journal.kind === 'sale' || journal.kind === 'discount') throw new ValidationError({ journal_id: 'must be an active payment journal of the company' });
    return journal.id;
  }
  const cacheKey = `${ctx.companyId}:${mode}`;
  let defaultJournals = journalCaches.get(ports);
  if (!defaultJournals) journalCaches.set(ports, (defaultJournals = new Map()));
  const known = defaultJournals.get(cacheKey);
  if (known && Date.now() - known.at < JOURNAL_TTL_MS) return known.id;
  const settings = await ctx.db.settings<Settings>('schemes');
  let id: number;
  if (settings.gold_payment_journal) id = (await ports.catalog().journalByCode(ctx, settings.gold_payment_journal)).id;
  else {
    const journals = (await ports.journals(ctx, ctx.companyId)).filter((j) => j.active !== false);
    const pick = journals.find((j) => KIND_OF_MODE[mode].includes(j.kind)) ?? journals.find((j) => j.kind === 'cash' || j.kind === 'bank' || j.kind === 'mobile_money');
    if (!pick) throw new ConfigurationError(`No payment journal for ${mode}: set schemes' gold_payment_journal or add a cash/bank journal`, { mode: 'has no journal' });
    id = pick.id;
  }
  if (defaultJournals.size > 10_000) defaultJournals.clear();
  defaultJournals.set(cacheKey, { id, at: Date.now() });
  return id;
}

/**
 * The default payment journal per company and mode, kept 10 s per kernel (its ports; as billing keeps
 * its journals): two reads fewer per instalment. A changed setting or journal applies within 10 s.
 */
const journalCaches = new WeakMap<GoldPorts, Map<string, { id: number; at: number }>>();
const JOURNAL_TTL_MS = 10_000;

/** Where redemption credit notes are posted: `gold_credit_journal`, else a discount journal, else a sale journal. */
export async function creditJournal(ports: GoldPorts, ctx: RequestContext): Promise<number> {
  const settings = await ctx.db.settings<Settings>('schemes');
  if (settings.gold_credit_journal) return (await ports.catalog().journalByCode(ctx, settings.gold_credit_journal)).id;
  const journals = (await ports.journals(ctx, ctx.companyId)).filter((j) => j.active !== false);
  const pick = journals.find((j) => j.kind === 'discount') ?? journals.find((j) => j.kind === 'sale');
  if (!pick) throw new ConfigurationError("No journal for gold redemption credit notes: set schemes' gold_credit_journal");
  return pick.id;
}
