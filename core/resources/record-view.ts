import type { RequestContext } from '../security/request-context';
import { CORE_PERMISSIONS } from '../security/services';
import type { ResolvedField } from './define-entity';
import type { EntityRegistry, RegisteredEntity } from './entity-registry';
import { displayContext } from './display-context';
import { displayValue, inputText } from './field-display';
import { entityHistory } from './entity-history';

/**
 * What the core record template (`resources/record`) shows. One page per record, as in Odoo: people
 * who may write get the form (errors beside fields), others the values; both get the record's slots
 * (`<module>.<entity>.panels` and `.actions`) and its history. `row` null is the new-record form.
 */
export interface RecordViewInput {
  row: Record<string, unknown> | null;
  /** What was typed, when the form comes back with errors. */
  typed?: Record<string, unknown>;
  errors?: Record<string, string>;
  formError?: string | null;
  /** The company a new record goes to (multi-company users pick it). */
  companyId?: number;
}

const WIDGET: Record<string, string> = {
  text: 'text',
  code: 'text',
  email: 'email',
  phone: 'tel',
  integer: 'number',
  money: 'text',
  rate: 'text',
  boolean: 'checkbox',
  date: 'date',
  datetime: 'datetime-local',
  enum: 'select',
  ref: 'select',
  list: 'text',
  json: 'textarea',
  secret: 'password',
};

export async function recordView(ctx: RequestContext, registry: EntityRegistry, reg: RegisteredEntity, input: RecordViewInput): Promise<Record<string, unknown>> {
  const { entity } = reg;
  const path = reg.pagesPath!;
  const row = input.row;
  const errors = input.errors ?? {};
  const asked = Number(row?.company_id ?? input.companyId ?? ctx.companyId);
  // A company outside the caller's scope (a forged post) is shown as their own; the error says why.
  const companyId = ctx.companyIds.includes(asked) ? asked : ctx.companyId;
  const shownRow = row ?? { company_id: companyId };
  const dc = await displayContext(ctx, registry, entity, [shownRow]);
  const writer = ctx.can(entity.permissions.write);
  const deleter = typeof entity.permissions.delete === 'string' && ctx.can(entity.permissions.delete);

  const fields = [];
  for (const f of entity.fieldList) {
    if (!f.inForm || (!f.writable && !row)) continue;
    const value = input.typed && f.key in input.typed ? input.typed[f.key] : row ? inputValue(f, row[f.key], shownRow, dc) : newValue(f, shownRow, dc);
    fields.push({
      name: f.key,
      label: f.label,
      type: f.kind === 'text' && f.options.multiline ? 'textarea' : WIDGET[f.kind],
      value,
      error: errors[f.key],
      // A select of a field that always holds a value offers no empty choice.
      required: f.writable && (Boolean(f.options.required) || (!f.nullable && (f.kind === 'enum' || f.kind === 'ref'))),
      hint: f.kind === 'secret' && row ? 'Leave empty to keep the current one.' : (f.options.hint ?? ''),
      placeholder: f.options.placeholder ?? '',
      autocomplete: f.kind === 'secret' ? 'new-password' : f.kind === 'phone' ? 'off' : '',
      readonly: !f.writable || (Boolean(row) && Boolean(f.options.fixed)),
      options: await widgetOptions(ctx, registry, f, companyId),
    });
  }
  const companies = !row && ctx.companyIds.length > 1 && !entity.rowScope ? (ctx.principal.companies ?? []).map((c) => ({ id: c.id, name: c.name, selected: c.id === companyId })) : null;
  const canAudit = Boolean(row) && ctx.can(CORE_PERMISSIONS.auditRead);
  return {
    entity: reg.fullName,
    row,
    title: row ? String(row[entity.title] ?? '') : `New ${entity.label.one.toLowerCase()}`,
    listHref: path,
    many: entity.label.many,
    form: writer ? { action: row ? `${path}/${row.id}` : path, fields, companies, companyError: errors.company_id, submitLabel: row ? 'Save' : `Create ${entity.label.one.toLowerCase()}` } : null,
    details: row ? detailList(ctx, registry, entity.fieldList, row, dc) : [],
    deleteHref: row && deleter ? `${path}/${row.id}/delete` : null,
    deleteQuestion: row ? `Delete ${entity.label.one.toLowerCase()} ${String(row[entity.title] ?? '')}? This cannot be undone.` : null,
    formError: input.formError ?? null,
    panelsSlot: reg.slots.panels,
    actionsSlot: reg.slots.actions,
    history: canAudit ? await entityHistory(ctx, registry, entity, row!, dc) : null,
  };
}

function inputValue(f: ResolvedField, value: unknown, row: Record<string, unknown>, dc: Parameters<typeof inputText>[3]): unknown {
  if (f.kind === 'boolean') return Boolean(value);
  if (!f.writable) return displayValue(f, value, row, dc);
  return inputText(f, value, row, dc);
}

/** A new record's field shows its default as it would be typed (an amount as 12.50, a rate as 20.00). */
function newValue(f: ResolvedField, row: Record<string, unknown>, dc: Parameters<typeof inputText>[3]): unknown {
  if (f.kind === 'boolean') return Boolean(f.options.default);
  const value = f.options.default;
  return value === undefined || value === null ? '' : inputText(f, value, row, dc);
}

async function widgetOptions(ctx: RequestContext, registry: EntityRegistry, f: ResolvedField, companyId: number) {
  if (f.kind === 'enum') return Object.entries(f.options.values as Record<string, string>).map(([value, label]) => ({ value, label }));
  if (f.target) return (await registry.options(ctx, f.target, companyId)).map((o) => ({ value: String(o.id), label: o.title }));
  return null;
}

/** The values as text; a ref links to its record only for people allowed to open it. */
function detailList(ctx: RequestContext, registry: EntityRegistry, fields: readonly ResolvedField[], row: Record<string, unknown>, dc: Parameters<typeof displayValue>[3]) {
  return fields
    .filter((f) => f.kind !== 'secret')
    .map((f) => {
      const target = f.target ? registry.get(f.target) : undefined;
      const href = target && row[f.key] != null && ctx.can(target.entity.permissions.read) ? registry.recordPath(target.fullName, Number(row[f.key])) : null;
      return { label: f.label, text: displayValue(f, row[f.key], row, dc), class: f.kind === 'code' ? 'mono' : '', href };
    });
}
