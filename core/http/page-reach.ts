import type { DeclaredPageRoute } from './route-table';
import { AUTHENTICATED } from '../modules/module-api';

interface Matcher {
  segments: string[];
  permission: string;
}

/**
 * May this user open this link? Answered from the GET pages modules declared, with their permissions,
 * so a template never repeats a permission code to hide a link: `{{#link "/crm/groups/" id}}` shows an
 * anchor when the page would open, plain text when it would answer 403. Links outside the declared
 * pages (static files, the API) are left alone.
 */
export class PageReach {
  private readonly matchers: Matcher[];

  constructor(pages: readonly DeclaredPageRoute[]) {
    // Routes are kept most specific first (`/x/new` before `/x/:id`), as express tries them.
    this.matchers = pages.filter((p) => p.method === 'GET').map((p) => ({ segments: p.path.split('/').filter(Boolean), permission: p.permission }));
  }

  /** The permission the page behind `href` needs; `undefined` when no declared page matches. */
  permissionFor(href: string): string | undefined {
    const pathOnly = href.split(/[?#]/)[0];
    const parts = pathOnly.split('/').filter(Boolean);
    for (const m of this.matchers) {
      if (m.segments.length !== parts.length) continue;
      if (m.segments.every((s, i) => s.startsWith(':') || s.toLowerCase() === parts[i].toLowerCase())) return m.permission;
    }
    return undefined;
  }

  /** A checker bound to one user's permissions. */
  forUser(can: (permission: string) => boolean): (href: string) => boolean {
    return (href) => {
      const permission = this.permissionFor(href);
      return permission === undefined || permission === AUTHENTICATED || can(permission);
    };
  }
}
