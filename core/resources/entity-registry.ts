import type { RequestContext } from '../security/request-context';
import type { AnyEntity } from './define-entity';
import type { EntityService } from './entity-service';

/** What a ref resolves a record to: its title, and its company when it has one. */
export interface RefTarget {
  title: string;
  company_id: number | null;
}

/** Records that are not entities (core's companies) may still be refs' targets through a resolver. */
export interface RefResolver {
  /** How messages name one record ("company"). */
  label: string;
  resolve(ctx: RequestContext, ids: number[]): Promise<Map<number, RefTarget>>;
  /** What a picker offers. */
  options(ctx: RequestContext): Promise<RefOption[]>;
}

export interface RefOption extends RefTarget {
  id: number;
}

export interface RegisteredEntity {
  /** `<module>.<name>`, as refs name it. */
  fullName: string;
  module: string;
  entity: AnyEntity;
  service: EntityService<any>;
  serviceId: symbol;
  /** Where its record pages are, when it has pages: `<pages>/<id>`. */
  pagesPath: string | null;
  slots: { panels: string; actions: string };
}

/**
 * A kind of record as history and the audit log name it: every registered entity is one; a module's
 * hand-written records (kept outside the resource layer) add theirs with `addRecordKind`.
 */
export interface RecordKind {
  fullName: string;
  module: string;
  table: string;
  label: { one: string; many: string };
  pagesPath: string | null;
  /** Titles of the visible records among `ids`. */
  resolve(ctx: RequestContext, ids: number[]): Promise<Map<number, RefTarget>>;
  /** A record's name from an audit entry's values, for records since deleted. */
  titleOf?(values: Record<string, unknown>): string | null;
  /** What opening its page needs: links are shown only to people holding it. */
  readPermission: string;
  /** A column's label ("First name" for first_name). */
  fieldLabel?(key: string): string | undefined;
}

export class EntityRegistrationError extends Error {}

/**
 * Every registered entity of the running host, by full name and by table: refs resolve through it
 * (titles and checks go through the target's service, never its table), and the host knows the slots
 * each entity's record page offers.
 */
export class EntityRegistry {
  private readonly byName = new Map<string, RegisteredEntity>();
  private readonly tables = new Map<string, RegisteredEntity>();
  private readonly resolvers = new Map<string, RefResolver>();
  private readonly handKinds = new Map<string, RecordKind>();

  constructor() {
    const companyOptions = async (ctx: RequestContext): Promise<RefOption[]> => {
      const names = new Map((ctx.principal.companies ?? []).map((c) => [c.id, c.name]));
      return ctx.companyIds.map((id) => ({ id, title: names.get(id) ?? `#${id}`, company_id: null }));
    };
    this.addResolver('core.company', {
      label: 'company',
      options: companyOptions,
      resolve: async (ctx, ids) => new Map((await companyOptions(ctx)).filter((c) => ids.includes(c.id)).map((c) => [c.id, c])),
    });
  }

  add(registered: RegisteredEntity): void {
    const clash = this.byName.get(registered.fullName) ?? this.tables.get(registered.entity.table);
    // A second register() of the same module in one container (tests) replaces its own entry.
    if (clash && clash.module !== registered.module) {
      throw new EntityRegistrationError(`Module "${registered.module}": entity ${registered.fullName} (table ${registered.entity.table}) clashes with ${clash.fullName} of module "${clash.module}"`);
    }
    for (const f of registered.entity.fieldList) {
      if (f.target && f.target !== registered.fullName && !this.byName.has(f.target) && !this.resolvers.has(f.target)) {
        throw new EntityRegistrationError(`Module "${registered.module}": field ${registered.fullName}.${f.key} refers to ${f.target}, which no module registered before it (is its module in "depends"?)`);
      }
    }
    this.byName.set(registered.fullName, registered);
    this.tables.set(registered.entity.table, registered);
  }

  addResolver(target: string, resolver: RefResolver): void {
    this.resolvers.set(target, resolver);
  }

  /** Records a module keeps by hand: refs to them resolve, and history and the audit log name them. */
  addRecordKind(kind: RecordKind): void {
    this.handKinds.set(kind.table, kind);
    this.addResolver(kind.fullName, { label: kind.label.one.toLowerCase(), resolve: kind.resolve, options: async () => [] });
  }

  /** Every kind of record: the registered entities, then the hand-written kinds, by module. */
  recordKinds(): RecordKind[] {
    const kinds = [...this.tables.keys(), ...this.handKinds.keys()].map((table) => this.kindOfTable(table)!);
    return kinds.sort((a, b) => a.module.localeCompare(b.module) || a.label.many.localeCompare(b.label.many));
  }

  kindOfTable(table: string): RecordKind | undefined {
    const reg = this.tables.get(table);
    if (!reg) return this.handKinds.get(table);
    const title = reg.entity.title;
    return {
      fullName: reg.fullName,
      module: reg.module,
      table,
      label: reg.entity.label,
      pagesPath: reg.pagesPath,
      resolve: (ctx, ids) => reg.service.refTargets(ctx, ids),
      titleOf: (values) => (values[title] === undefined || values[title] === null ? null : String(values[title])),
      readPermission: reg.entity.permissions.read,
      // A secret kept under a column of another name (password_hash) is labelled by its field.
      fieldLabel: (key) => reg.entity.field(key)?.label ?? reg.entity.fieldList.find((f) => f.options.storedAs === key)?.label,
    };
  }

  get(fullName: string): RegisteredEntity | undefined {
    return this.byName.get(fullName);
  }

  byTable(table: string): RegisteredEntity | undefined {
    return this.tables.get(table);
  }

  all(): RegisteredEntity[] {
    return [...this.byName.values()];
  }

  hasSlot(slot: string): boolean {
    for (const r of this.byName.values()) if (r.slots.panels === slot || r.slots.actions === slot) return true;
    return false;
  }

  /** How a message names one record of `target` (its singular label, lower-case). */
  labelOf(target: string): string {
    return this.byName.get(target)?.entity.label.one.toLowerCase() ?? this.resolvers.get(target)?.label ?? 'record';
  }

  /** Titles and companies of the records of `target` the caller's companies hold; others are absent. */
  async resolve(ctx: RequestContext, target: string, ids: number[]): Promise<Map<number, RefTarget>> {
    const unique = [...new Set(ids.filter((id) => Number.isSafeInteger(id)))];
    if (!unique.length) return new Map();
    const registered = this.byName.get(target);
    if (registered) return registered.service.refTargets(ctx, unique);
    const resolver = this.resolvers.get(target);
    if (!resolver) throw new Error(`No entity or resolver for refs to ${target}`);
    return resolver.resolve(ctx, unique);
  }

  /** What a picker of `target` offers in `companyId` (every visible record of a company-less target). */
  async options(ctx: RequestContext, target: string, companyId: number): Promise<RefOption[]> {
    const registered = this.byName.get(target);
    const all = registered ? await registered.service.refOptions(ctx, companyId) : await this.resolvers.get(target)!.options(ctx);
    return all.filter((o) => o.company_id === null || o.company_id === companyId);
  }

  /** The page of a record, for links from history and pickers; null when its entity has no pages. */
  recordPath(target: string, id: number): string | null {
    const path = this.byName.get(target)?.pagesPath ?? [...this.handKinds.values()].find((k) => k.fullName === target)?.pagesPath;
    return path ? `${path}/${id}` : null;
  }
}
