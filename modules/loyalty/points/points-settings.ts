import { ValidationError, type ScopedDb } from 'tessera/core';
import type { PointsPorts } from './points-ports';
import type { PointsMode, PointsRules } from './points-rules';

export const SETTINGS_TABLE = 'loyalty_points_settings';

/** A company's points settings (seed 003), as the API and the pages show them. */
export interface PointsSettings extends PointsRules {
  active: boolean;
  card_mandatory: boolean;
  product_code: string;
  /** 0: points never expire; else points expire this many months after they were earned, oldest first. */
  expiry_months: number;
}

export const DEFAULT_SETTINGS: PointsSettings = {
  active: false,
  card_mandatory: false,
  ratio_bp: 10000,
  mode: 'tranche',
  tranche_points: 100,
  tranche_value: 500,
  point_value: 1,
  product_code: '',
  expiry_months: 0,
};

/** The JSON Schema of a PUT: ajv names the field of any bad value before the service runs. */
export const SETTINGS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    active: { type: 'boolean' },
    card_mandatory: { type: 'boolean' },
    ratio_bp: { type: 'integer', minimum: 0, maximum: 100_000_000, description: 'Points per currency unit in basis points: 20000 is 2 points per unit.' },
    mode: { type: 'string', enum: ['tranche', 'direct'] },
    tranche_points: { type: 'integer', minimum: 1, maximum: 1_000_000_000 },
    tranche_value: { type: 'integer', minimum: 1, maximum: 1_000_000_000_000, description: 'Minor units.' },
    point_value: { type: 'integer', minimum: 1, maximum: 1_000_000_000_000, description: 'Minor units per point (direct value mode).' },
    product_code: { type: 'string', maxLength: 64 },
    expiry_months: { type: 'integer', minimum: 0, maximum: 120 },
  },
} as const;

function fromRow(row: Record<string, unknown> | undefined): PointsSettings {
  if (!row) return { ...DEFAULT_SETTINGS };
  return {
    active: Boolean(row.active),
    card_mandatory: Boolean(row.card_mandatory),
    ratio_bp: Number(row.ratio_bp),
    mode: String(row.mode) as PointsMode,
    tranche_points: Number(row.tranche_points),
    tranche_value: Number(row.tranche_value),
    point_value: Number(row.point_value),
    product_code: String(row.product_code ?? ''),
    expiry_months: Number(row.expiry_months),
  };
}

export async function readSettings(db: ScopedDb, companyId = db.principal.companyId): Promise<PointsSettings> {
  return fromRow(await db.queryCompany(companyId, SETTINGS_TABLE).first());
}

/**
 * Saves the company's settings: what is not sent keeps its value. An active company must name its
 * points product, and the product must exist in billing's catalogue: a missing one is refused with
 * the code named (billing's ConfigurationError).
 */
export async function saveSettings(ports: PointsPorts, db: ScopedDb, patch: Partial<PointsSettings>): Promise<PointsSettings> {
  return db.transaction(async (trx) => {
    const companyId = trx.principal.companyId;
    const row = await trx.queryCompany(companyId, SETTINGS_TABLE).first();
    const next: PointsSettings = { ...fromRow(row), ...patch };
    next.product_code = next.product_code.trim().toUpperCase();
    if (next.active && !next.product_code) throw new ValidationError({ product_code: 'is required to activate points: the billing product of the redemption line' });
    if (next.product_code) await ports.catalog().productByCode(trx, next.product_code);
    const values = { ...next };
    if (row) await trx.update(SETTINGS_TABLE, Number(row.id), values);
    else await trx.insert(SETTINGS_TABLE, { ...values, company_id: companyId });
    return next;
  });
}
