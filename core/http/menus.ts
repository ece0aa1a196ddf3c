import type { Manifest } from '../modules/manifest';
import { AUTHENTICATED } from '../modules/module-api';
import type { RequestContext } from '../security/request-context';

export interface MenuItem {
  id: string;
  label: string;
  path: string;
  active: boolean;
  children: MenuItem[];
  /** The badge the manifest names for the entry, and what it counts for the user ("3", "99+"), filled by MenuBadges. */
  badgeSource?: string;
  badge?: string;
}

/**
 * The navigation from the installed manifests, keeping only entries the user may open. A parent whose
 * children are all hidden and whose own page is forbidden disappears too.
 */
export function buildMenus(manifests: readonly Manifest[], ctx: RequestContext, currentPath: string): MenuItem[] {
  const entries = manifests.flatMap((m) => m.menus).sort((a, b) => a.order - b.order || a.label.localeCompare(b.label));
  const allowed = (e: { permission: string; alsoRequires?: string[] }) =>
    (e.permission === AUTHENTICATED || ctx.can(e.permission)) && (e.alsoRequires ?? []).every((p) => ctx.can(p));
  const isActive = (path: string) => (path === '/' ? currentPath === '/' : currentPath === path || currentPath.startsWith(path + '/'));
  const toItem = (e: (typeof entries)[number]): MenuItem | null => {
    const children = entries.filter((c) => c.parent === e.id).map(toItem).filter((c): c is MenuItem => c !== null);
    if (!allowed(e) && children.length === 0) return null;
    return { id: e.id, label: e.label, path: allowed(e) ? e.path : children[0].path, active: isActive(e.path) || children.some((c) => c.active), children, ...(e.badge ? { badgeSource: e.badge } : {}) };
  };
  return entries.filter((e) => !e.parent || !entries.some((p) => p.id === e.parent)).map(toItem).filter((i): i is MenuItem => i !== null);
}
