import type { ScopedDb } from 'tessera/core';
import type { DocumentLinesRemoved } from '../../billing/api';
import { appendLine, LEDGER, lockAccount, toLine, type LedgerLine } from './points-ledger';
import { readSettings } from './points-settings';

const SPEND = 'spend:';
const UNSPEND = 'unspend:';

/**
 * The points spent on a document, oldest first: the spend still standing (`live`) and how many were
 * made. A spend whose line later left the draft has an `unspend:` line naming it and stands no more.
 */
export async function spendsOn(db: ScopedDb, kind: string, documentId: number): Promise<{ live: LedgerLine | null; made: number }> {
  const rows = await db.queryCompany(db.principal.companyId, LEDGER).where({ document_kind: kind, document_id: documentId, kind: 'spent' }).orderBy('id');
  const lines: LedgerLine[] = rows.map((r: Record<string, unknown>) => toLine(r));
  const spends = lines.filter((l) => l.source_key.startsWith(SPEND));
  const undone = new Set(lines.filter((l) => l.source_key.startsWith(UNSPEND)).map((l) => l.source_key.split(':').pop()));
  return { live: spends.find((s) => !undone.has(String(s.id))) ?? null, made: spends.length };
}

/** The first spend on a document keeps its historical key; one after a return is numbered. */
export function spendKey(kind: string, documentId: number, made: number): string {
  return made === 0 ? `${SPEND}${kind}:${documentId}` : `${SPEND}${kind}:${documentId}:${made + 1}`;
}

/**
 * The points line left its draft (edited out, or the order cancelled): the points come back to the
 * customer as a `spent` line of the opposite sign, so "spent" counts what was really spent. Keyed by
 * the spend it undoes: a second delivery writes nothing; the customer may spend on the draft again.
 */
export async function returnRemovedPoints(db: ScopedDb, removed: DocumentLinesRemoved): Promise<LedgerLine | null> {
  // Most edits remove no discount at all: the settings are read only when a negative line left.
  if (removed.kind === 'quote' || !removed.lines.some((l) => l.unit_price < 0)) return null;
  const settings = await readSettings(db);
  const code = String(settings.product_code ?? '').toUpperCase();
  if (!code || !removed.lines.some((l) => l.product_code.toUpperCase() === code && l.unit_price < 0)) return null;
  const { live } = await spendsOn(db, removed.kind, removed.document_id);
  if (!live) return null;
  await lockAccount(db, live.customer_id);
  const { line } = await appendLine(db, {
    customerId: live.customer_id,
    kind: 'spent',
    points: -live.points,
    amount: -live.amount,
    documentKind: removed.kind,
    documentId: removed.document_id,
    sourceKey: `${UNSPEND}${removed.kind}:${removed.document_id}:${live.id}`,
    reason: `Points line ${removed.reason === 'cancelled' ? 'cancelled with' : 'removed from'} ${removed.kind} ${removed.document_id}`,
  });
  return line;
}
