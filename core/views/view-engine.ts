import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import type { ModuleSource } from '../modules/manifest';
import type { SlotContribution } from '../modules/module-api';
import type { RequestContext } from '../security/request-context';
import { dependsOn } from '../modules/dependency-order';

interface Template {
  name: string;
  /** `shell` for the host's own views, else the module whose file it is. */
  owner: string;
  file: string;
  /** Read on first use: a start reads no template, a page only those it renders. */
  readonly source: string;
  /** Compiled on first use (Handlebars compiles on the first call). */
  readonly compiled: Handlebars.TemplateDelegate;
}

interface RegisteredSlot extends SlotContribution {
  module: string;
  position: number;
}

export class ViewConflictError extends Error {}

const SLOT_USE = /\{\{\{?\s*slot\s+"([^"]+)"/g;
const PARTIAL_USE = /\{\{#?>\s*([\w./-]+)/g;

/**
 * Handlebars templates by name. The shell's views are `layout`, `login`, `errors/404`, `shell/<partial>`;
 * a module's are `<module>/<file>`. A module overrides another's template by shipping
 * `views/overrides/<other>/<file>.hbs`; with several overriders, the one that depends on the others
 * wins, and overriders with no dependency between them are refused at start-up.
 */
export class ViewEngine {
  readonly hb = Handlebars.create();
  private readonly templates = new Map<string, Template>();
  private readonly overriders = new Map<string, string[]>();
  private readonly slots = new Map<string, RegisteredSlot[]>();
  private readonly slotUses = new Map<string, string[]>();

  constructor(shellDir: string, registerHelpers: (hb: typeof Handlebars) => void) {
    registerHelpers(this.hb);
    this.hb.registerHelper('slot', (name: string, options: Handlebars.HelperOptions) => {
      const rendered = (options.data?.root?.__slots ?? {})[name];
      return new this.hb.SafeString(rendered ?? '');
    });
    for (const file of hbsFiles(shellDir)) {
      const rel = toName(shellDir, file);
      this.set(rel.startsWith('partials/') ? `shell/${rel.slice('partials/'.length)}` : rel, 'shell', file);
    }
  }

  /** Loads the templates of installed modules, given in dependency order. */
  loadModules(sources: ModuleSource[]): void {
    for (const source of sources) {
      const dir = path.join(source.dir, 'views');
      for (const file of hbsFiles(dir)) {
        const rel = toName(dir, file);
        if (rel.startsWith('overrides/')) continue;
        this.set(`${source.manifest.name}/${rel}`, source.manifest.name, file);
      }
    }
    for (const source of sources) {
      const dir = path.join(source.dir, 'views', 'overrides');
      for (const file of hbsFiles(dir)) {
        const name = toName(dir, file);
        const previous = this.overriders.get(name) ?? [];
        for (const other of previous) {
          const ordered = dependsOn(source.manifest.name, other, sources) || dependsOn(other, source.manifest.name, sources);
          if (!ordered) {
            throw new ViewConflictError(`Modules "${other}" and "${source.manifest.name}" both override template "${name}" and neither depends on the other: add a dependency to say which one wins`);
          }
        }
        this.overriders.set(name, [...previous, source.manifest.name]);
        // Sources come in dependency order, so a later overrider depends on (or is unrelated to) earlier ones.
        this.set(name, source.manifest.name, file);
      }
    }
  }

  addSlot(module: string, contribution: SlotContribution): void {
    if (!this.templates.has(contribution.template)) throw new Error(`Module "${module}" fills slot "${contribution.slot}" with unknown template "${contribution.template}"`);
    const list = this.slots.get(contribution.slot) ?? [];
    list.push({ ...contribution, module, position: list.length });
    this.slots.set(contribution.slot, list);
  }

  has(name: string): boolean {
    return this.templates.has(name);
  }

  ownerOf(name: string): string | undefined {
    return this.templates.get(name)?.owner;
  }

  slotContributions(slot: string): Array<{ module: string; template: string }> {
    return this.ordered(slot).map((s) => ({ module: s.module, template: s.template }));
  }

  /** Renders a template; slots it uses (directly or through partials) are filled first. */
  async render(name: string, data: Record<string, unknown>, ctx: RequestContext | null): Promise<string> {
    const template = this.templates.get(name);
    if (!template) throw new Error(`No template named "${name}"`);
    const root = { ...data, __slots: await this.fillSlots(name, data, ctx) };
    return template.compiled(root);
  }

  private async fillSlots(name: string, data: Record<string, unknown>, ctx: RequestContext | null): Promise<Record<string, string>> {
    const filled: Record<string, string> = {};
    // Shared templates name their slots at run time (`{{{slot record.panelsSlot}}}`) and list them in `slotNames`.
    const named = Array.isArray(data.slotNames) ? data.slotNames.map(String) : [];
    for (const slot of new Set([...this.slotsUsedBy(name), ...named])) {
      const parts: string[] = [];
      for (const contribution of this.ordered(slot)) {
        if (contribution.permission && !ctx?.can(contribution.permission)) continue;
        const extra = contribution.data && ctx ? await contribution.data(ctx, data) : {};
        parts.push(this.templates.get(contribution.template)!.compiled({ ...data, ...extra }));
      }
      filled[slot] = parts.join('\n');
    }
    return filled;
  }

  private ordered(slot: string): RegisteredSlot[] {
    return [...(this.slots.get(slot) ?? [])].sort((a, b) => (a.order ?? 100) - (b.order ?? 100) || a.position - b.position);
  }

  private slotsUsedBy(name: string, seen = new Set<string>()): string[] {
    const cached = this.slotUses.get(name);
    if (cached) return cached;
    const template = this.templates.get(name);
    if (!template || seen.has(name)) return [];
    seen.add(name);
    const used = new Set([...template.source.matchAll(SLOT_USE)].map((m) => m[1]));
    for (const partial of template.source.matchAll(PARTIAL_USE)) for (const s of this.slotsUsedBy(partial[1], seen)) used.add(s);
    const result = [...used];
    this.slotUses.set(name, result);
    return result;
  }

  private set(name: string, owner: string, file: string): void {
    const hb = this.hb;
    let source: string | undefined;
    let compiled: Handlebars.TemplateDelegate | undefined;
    const template: Template = {
      name,
      owner,
      file,
      get source() {
        return (source ??= fs.readFileSync(file, 'utf8'));
      },
      get compiled() {
        return (compiled ??= hb.compile(this.source));
      },
    };
    this.templates.set(name, template);
    // A partial as a function: the file is read when a page first uses it.
    this.hb.registerPartial(name, ((context: unknown, options: Handlebars.RuntimeOptions) => template.compiled(context, options)) as Handlebars.Template);
    this.slotUses.clear();
  }
}

function hbsFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const result: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) result.push(...hbsFiles(full));
    else if (entry.name.endsWith('.hbs')) result.push(full);
  }
  return result.sort();
}

function toName(dir: string, file: string): string {
  return path.relative(dir, file).replace(/\\/g, '/').replace(/\.hbs$/, '');
}
