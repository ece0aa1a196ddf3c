import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import {
  type ModuleContext,
  type PageResult,
  CORE,
  CORE_PERMISSIONS,
  type RequestContext,
  type AuditLog,
  fieldsOf,
  attempt,
  text,
} from 'tessera/core';
import type { AuditTrailEntry } from '../audit/audit-trail';
import { describeSettings, readForm, stateFromValues, type FieldSpec, type FormState } from './settings-form';
import { formView, placeErrors } from './settings-form-view';
import { editableModule, editableModules, settingsService, SETTINGS_TABLE, type EditableModule } from './module-settings';

/** Settings → Module settings: every installed module's per-company settings, as forms generated from their schemas. */
export function registerSettingsPages(m: ModuleContext): void {
  m.routes.page({
    method: 'GET',
    path: '/admin/settings',
    permission: CORE_PERMISSIONS.settingsManage,
    async handler(ctx) {
      return { view: 'base/module-settings-list', title: 'Module settings', data: { modules: editableModules(ctx) } };
    },
  });

  m.routes.page({
    method: 'GET',
    path: '/admin/settings/:module',
    permission: CORE_PERMISSIONS.settingsManage,
    async handler(ctx, { params }) {
      const entry = editableModule(ctx, params.module);
      const specs = describeSettings(entry.schema);
      const values = await settingsService(ctx).get(ctx.companyId, entry.module);
      return settingsForm(ctx, entry, specs, stateFromValues(specs, values));
    },
  });

  m.routes.page({
    method: 'POST',
    path: '/admin/settings/:module',
    permission: CORE_PERMISSIONS.settingsManage,
    async handler(ctx, { params, body }) {
      const entry = editableModule(ctx, params.module);
      const path = `/admin/settings/${entry.module}`;
      // Settings are per company: a form opened for one company must not be saved into another one
      // the person switched to in the meantime (another tab).
      const openedFor = text(body, '_company');
      if (openedFor && openedFor !== String(ctx.companyId)) {
        return { redirect: path, flash: { type: 'error', message: 'You switched company after opening the form, so nothing was saved. These are the settings of the current company.' } };
      }
      const specs = describeSettings(entry.schema);
      const form = readForm(specs, body);
      const current = await settingsService(ctx).get(ctx.companyId, entry.module);
      // The form shows every declared setting; anything else stored (a schema that allows more) is kept.
      const value = { ...undeclared(current, specs), ...form.value };
      if (Object.keys(form.problems).length) {
        // Text that is not a number or not JSON: nothing is saved, and the other fields are checked too
        // so every message shows at once.
        const others = placeErrors(specs, checkSettings(entry.schema, value), form.rowOf);
        return settingsForm(ctx, entry, specs, form.state, { fields: { ...others.fields, ...form.problems }, other: others.other });
      }
      const result = await attempt(() => settingsService(ctx).update(ctx, entry.module, value));
      if (!result.ok) {
        if (result.status !== 422) return settingsForm(ctx, entry, specs, form.state, { fields: {}, other: [result.message] }, result.status);
        return settingsForm(ctx, entry, specs, form.state, placeErrors(specs, result.errors, form.rowOf));
      }
      return { redirect: path, flash: { type: 'success', message: `Settings of ${entry.label} saved.` } };
    },
  });
}

async function settingsForm(
  ctx: RequestContext,
  entry: EditableModule,
  specs: FieldSpec[],
  state: FormState,
  problems?: { fields: Record<string, string>; other: string[] },
  status = 422,
): Promise<PageResult> {
  return {
    view: 'base/module-settings-form',
    title: `${entry.label} settings`,
    status: problems ? status : undefined,
    data: {
      module: entry,
      companyId: ctx.companyId,
      fields: formView(specs, state, problems?.fields ?? {}),
      formError: problems ? 'Nothing was saved: some settings are not valid. See the messages beside the fields.' : null,
      otherErrors: problems?.other ?? [],
      history: await history(ctx, entry.module),
    },
  };
}

function undeclared(current: Record<string, unknown>, specs: FieldSpec[]): Record<string, unknown> {
  const declared = new Set(specs.map((s) => s.key));
  return Object.fromEntries(Object.entries(current).filter(([key]) => !declared.has(key)));
}

// Only for showing every message when some inputs could not even be converted; saving validates in core.
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validators = new WeakMap<object, ValidateFunction>();

function checkSettings(schema: Record<string, unknown>, value: Record<string, unknown>): Record<string, string> {
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    validators.set(schema, validate);
  }
  return validate(JSON.parse(JSON.stringify(value))) ? {} : fieldsOf(validate.errors ?? [], 'settings');
}

/**
 * The changes to this module's settings in the current company, for holders of `core.audit.read`:
 * core records each change on the company (`core_settings`, id = company id) as `{module, from, to}`.
 */
async function history(ctx: RequestContext, module: string): Promise<AuditTrailEntry[] | null> {
  if (!ctx.can(CORE_PERMISSIONS.auditRead)) return null;
  const log = ctx.container.get<AuditLog>(CORE.AuditLog);
  const records = await log.forRecord(ctx.db.unscoped('settings changes are recorded on the caller’s current company'), SETTINGS_TABLE, ctx.companyId, 200);
  return records
    .filter((r) => r.changes && (r.changes as { module?: unknown }).module === module)
    .slice(0, 20)
    .map((r) => {
      const { from, to } = r.changes as { from?: Record<string, unknown>; to?: Record<string, unknown> };
      return {
        id: Number(r.id),
        action: r.action,
        actor_id: r.actor_id === null ? null : Number(r.actor_id),
        actor_name: r.actor_name,
        created_at: r.created_at,
        changes: changedSettings(from ?? {}, to ?? {}),
      };
    });
}

function changedSettings(from: Record<string, unknown>, to: Record<string, unknown>) {
  const shown = (v: unknown) => (v === undefined || v === null ? null : typeof v === 'object' ? JSON.stringify(v) : v);
  return [...new Set([...Object.keys(from), ...Object.keys(to)])]
    .filter((key) => JSON.stringify(from[key]) !== JSON.stringify(to[key]))
    .map((key) => ({ field: key, from: shown(from[key]), to: shown(to[key]) }));
}
