import type { Knex } from 'knex';
import type Ajv from 'ajv';
import { fieldsOf, moduleSchemaAjv } from './module-schemas';
import type { ModuleSource } from '../modules/manifest';
import { ValidationError } from '../errors';
import type { AuditLog } from './audit-log';
import type { RequestContext } from '../security/request-context';
import { CORE_PERMISSIONS } from '../security/services';

/** Per-company settings of each module, validated against the schema in its manifest. */
export class SettingsService {
  constructor(
    private readonly knex: Knex,
    private readonly sources: ModuleSource[],
    private readonly audit: AuditLog,
    private readonly ajv: Ajv = moduleSchemaAjv(),
  ) {
    // A schema ajv cannot compile would only fail when someone opens the settings: an integrator's fails
    // the start. Built-in modules' schemas are checked by their tests and compiled on first use, which
    // keeps the JSON Schema meta-schema out of every start.
    for (const source of sources.filter((s) => s.origin === 'external')) {
      try {
        this.ajv.compile(source.manifest.settings);
      } catch (error) {
        throw new Error(`Module "${source.manifest.name}": manifest.json field "settings" is not a usable JSON Schema: ${(error as Error).message}`);
      }
    }
  }

  /** Installed modules whose manifest declares at least one setting, in dependency order. */
  editable(): Array<{ module: string; description: string; schema: Record<string, unknown> }> {
    return this.sources
      .filter((s) => Object.keys(((s.manifest.settings as any).properties ?? {}) as object).length > 0)
      .map((s) => ({ module: s.manifest.name, description: s.manifest.description, schema: s.manifest.settings }));
  }

  schemaOf(moduleName: string): Record<string, unknown> {
    const source = this.sources.find((s) => s.manifest.name === moduleName);
    if (!source) throw new Error(`No module named "${moduleName}"`);
    return source.manifest.settings;
  }

  /**
   * The stored settings merged over the schema's defaults. Pass `db` when inside a transaction: on
   * SQLite the transaction holds the only connection.
   */
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
      throw new ValidationError(fieldsOf(validate.errors ?? [], 'settings'));
    }
    await db('core_settings')
      .insert({ company_id: companyId, module: moduleName, value: JSON.stringify(copy), updated_at: new Date() })
      .onConflict(['company_id', 'module'])
      .merge();
  }

  /** A person changes the settings of a module for their current company: checked and audited. */
  async update(ctx: RequestContext, moduleName: string, value: Record<string, unknown>): Promise<Record<string, unknown>> {
    ctx.require(CORE_PERMISSIONS.settingsManage);
    const before = await this.get(ctx.companyId, moduleName);
    await this.knex.transaction(async (trx) => {
      await this.set(ctx.companyId, moduleName, value, trx);
      await this.audit.record(trx, { companyId: ctx.companyId, actorId: ctx.user.id, action: 'update', table: 'core_settings', recordId: ctx.companyId, changes: { module: moduleName, from: before, to: value } });
    });
    return this.get(ctx.companyId, moduleName);
  }
}
