import type { PermissionDef } from 'tessera/core';

export interface PermissionChoice {
  name: string;
  description: string;
  implies: string[];
  grantable: boolean;
  checked: boolean;
}

export interface PermissionGroup {
  module: string;
  label: string;
  permissions: PermissionChoice[];
  checkedCount: number;
}

/** The role form's checkbox groups: one per module, core first, then modules alphabetically. */
export function permissionGroups(
  groups: Array<{ module: string; permissions: Array<PermissionDef & { grantable: boolean }> }>,
  checked: string[],
): PermissionGroup[] {
  const held = new Set(checked);
  return [...groups]
    .sort((a, b) => (a.module === 'core' ? -1 : b.module === 'core' ? 1 : a.module.localeCompare(b.module)))
    .map((group) => {
      const permissions = group.permissions.map((p) => ({
        name: p.name,
        description: p.description,
        implies: p.implies ?? [],
        grantable: p.grantable,
        checked: held.has(p.name),
      }));
      return { module: group.module, label: moduleLabel(group.module), permissions, checkedCount: permissions.filter((p) => p.checked).length };
    });
}

/** How a module is named on pages: `crm` → CRM, `visit_notes` → Visit notes. */
export function moduleLabel(module: string): string {
  if (module === 'core') return 'Core: companies, users, roles, jobs, audit';
  if (module.length <= 3) return module.toUpperCase();
  return module.charAt(0).toUpperCase() + module.slice(1).replace(/_/g, ' ');
}
