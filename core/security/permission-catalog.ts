import type { Manifest } from '../modules/manifest';
import type { PermissionDef } from './services';
import corePermissions from '../permissions.json';

export const CORE_GROUP = 'core';

/**
 * Every permission declared by core and the installed modules, with their implications resolved.
 * Holding a permission means holding everything it implies (write implies read).
 */
export class PermissionCatalog {
  private readonly defs = new Map<string, PermissionDef>();

  constructor(manifests: Manifest[]) {
    for (const p of corePermissions) this.add({ ...p, module: CORE_GROUP });
    for (const manifest of manifests) for (const p of manifest.permissions) this.add({ ...p, implies: p.implies ?? [], module: manifest.name });
    for (const def of this.defs.values()) {
      for (const implied of def.implies) {
        if (!this.defs.has(implied)) throw new Error(`Permission "${def.name}" implies "${implied}", which no installed module declares`);
      }
    }
  }

  private add(def: PermissionDef): void {
    if (this.defs.has(def.name)) throw new Error(`Permission "${def.name}" is declared twice`);
    this.defs.set(def.name, def);
  }

  has(name: string): boolean {
    return this.defs.has(name);
  }

  all(): PermissionDef[] {
    return [...this.defs.values()];
  }

  grouped(): Array<{ module: string; permissions: PermissionDef[] }> {
    const groups = new Map<string, PermissionDef[]>();
    for (const def of this.defs.values()) groups.set(def.module, [...(groups.get(def.module) ?? []), def]);
    return [...groups.entries()].map(([module, permissions]) => ({ module, permissions }));
  }

  /** The permissions plus all they imply, transitively; unknown names (an uninstalled module's) drop out. */
  expand(names: Iterable<string>): Set<string> {
    const result = new Set<string>();
    const stack = [...names];
    while (stack.length > 0) {
      const name = stack.pop()!;
      const def = this.defs.get(name);
      if (!def || result.has(name)) continue;
      result.add(name);
      stack.push(...def.implies);
    }
    return result;
  }
}
