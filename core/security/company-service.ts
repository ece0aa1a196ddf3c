import type { Knex } from 'knex';
import type { RequestContext } from './request-context';
import { CORE_PERMISSIONS, Company, CompanyService } from './services';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { isDuplicateKey } from '../db/db-lock';
import { isTimeZone } from '../data/calendar';
import { bumpSecurityVersion } from './security-version';
import type { AuditLog } from '../data/audit-log';

export class CompanyServiceImpl implements CompanyService {
  constructor(
    private readonly knex: Knex,
    private readonly audit: AuditLog,
  ) {}

  async list(ctx: RequestContext): Promise<Company[]> {
    ctx.require(CORE_PERMISSIONS.companyRead);
    return (await this.knex('core_companies').whereIn('id', ctx.companyIds).orderBy('name')).map(toCompany);
  }

  async get(ctx: RequestContext, id: number): Promise<Company> {
    ctx.require(CORE_PERMISSIONS.companyRead);
    if (!ctx.companyIds.includes(Number(id))) throw new NotFoundError('Company');
    const row = await this.knex('core_companies').where({ id }).first();
    if (!row) throw new NotFoundError('Company');
    return toCompany(row);
  }

  async create(ctx: RequestContext, input: { code: string; name: string; currency?: string; timezone?: string }): Promise<Company> {
    if (!ctx.principal.isSuperAdmin) throw new ForbiddenError('super admin');
    validate(input);
    const now = new Date();
    try {
      const id = await this.knex.transaction(async (trx) => {
        const [companyId] = await trx('core_companies').insert({ code: input.code, name: input.name, currency: input.currency ?? 'EUR', timezone: input.timezone ?? 'UTC', created_at: now, updated_at: now });
        if (ctx.user.id) await trx('core_user_companies').insert({ user_id: ctx.user.id, company_id: companyId });
        await bumpSecurityVersion(trx);
        await this.audit.record(trx, { companyId: Number(companyId), actorId: ctx.user.id, action: 'create', table: 'core_companies', recordId: Number(companyId), changes: input });
        return Number(companyId);
      });
      return toCompany(await this.knex('core_companies').where({ id }).first());
    } catch (error) {
      if (isDuplicateKey(error)) throw new ConflictError('A company with this code exists', { code: 'is already used' });
      throw error;
    }
  }

  async update(ctx: RequestContext, id: number, patch: Partial<Pick<Company, 'name' | 'currency' | 'timezone'>>): Promise<Company> {
    ctx.require(CORE_PERMISSIONS.companyManage);
    const before = await this.get(ctx, id);
    validate({ ...before, ...patch });
    const clean = Object.fromEntries(Object.entries(patch).filter(([k, v]) => ['name', 'currency', 'timezone'].includes(k) && v !== undefined));
    await this.knex('core_companies').where({ id }).update({ ...clean, updated_at: new Date() });
    await bumpSecurityVersion(this.knex);
    await this.audit.record(this.knex, { companyId: id, actorId: ctx.user.id, action: 'update', table: 'core_companies', recordId: id, changes: clean });
    return this.get(ctx, id);
  }
}

function validate(input: { code?: string; name?: string; currency?: string; timezone?: string }): void {
  const fields: Record<string, string> = {};
  if (input.code !== undefined && !/^[A-Za-z0-9_-]{2,32}$/.test(input.code)) fields.code = 'must be 2 to 32 letters, digits, - or _';
  if (!input.name || input.name.trim().length === 0) fields.name = 'is required';
  if (input.currency !== undefined && !/^[A-Z]{3}$/.test(input.currency)) fields.currency = 'must be a 3-letter ISO 4217 code';
  if (input.timezone !== undefined && !isTimeZone(input.timezone)) fields.timezone = 'is not a known IANA time zone';
  if (Object.keys(fields).length) throw new ValidationError(fields);
}


function toCompany(row: any): Company {
  return { id: Number(row.id), code: row.code, name: row.name, currency: row.currency, timezone: row.timezone };
}
