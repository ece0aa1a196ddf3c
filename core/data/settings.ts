import type { Knex } from 'knex';
import Ajv from 'ajv';
import type { ModuleSource } from '../modules/manifest';
import { ValidationError } from '../http/errors';

/** Per-company settings of each module, validated against the schema in its manifest. */
export class SettingsService {
  private readonly ajv = new Ajv({ allErrors: true, useDefaults: true });

  constructor(
    private readonly knex: Knex,
    private readonly sources: ModuleSource[],
  ) {}

  schemaOf(moduleName: string): Record<string, unknown> {
    const source = this.sources.find((s) => s.manifest.name === moduleName);
    if (!source) throw new Error(`No module named "${moduleName}"`);
    return source.manifest.settings;
  }

  /** The stored settings merged over the schema's defaults. */
  /** Pass `db` when inside a transaction: on SQLite the transaction holds the only connection. */
  async get<T = Record<string, unknown>>(companyId: number, moduleName: string, db: Knex | Knex.Transaction = this.knex): Promise<T> {
    const row = await db('core_settings').where({ company_id: companyId, module: moduleName }).first();
    const value = row ? JSON.parse(row.value) : {};
    this.ajv.validate(this.schemaOf(moduleName), value); // fills defaults
    return value as T;
  }

  async set(companyId: number, moduleName: string, value: Record<string, unknown>, db: Knex | Knex.Transaction = this.knex): Promise<void> {
    const copy = JSON.parse(JSON.stringify(value));
    const validate = this.ajv.compile(this.schemaOf(moduleName));
    if (!validate(copy)) {
      const fields: Record<string, string> = {};
      for (const e of validate.errors ?? []) fields[e.instancePath.slice(1) || (e.params as any).missingProperty || 'settings'] = e.message ?? 'is invalid';
      throw new ValidationError(fields);
    }
    await db('core_settings')
      .insert({ company_id: companyId, module: moduleName, value: JSON.stringify(copy), updated_at: new Date() })
      .onConflict(['company_id', 'module'])
      .merge();
  }
}
