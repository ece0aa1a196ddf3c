import type { Logger } from '../kernel/logger';
import type { RequestContext } from '../security/request-context';
import type { MenuItem } from './menus';

/** A count for the signed-in user in their current company: one cheap, indexed, bounded query. */
export type BadgeSource = (ctx: RequestContext) => Promise<number>;

/** Counts above this show as "99+": a source may stop counting there (`limit 100`). */
export const BADGE_CAP = 99;

/**
 * Badges of the menu ("3" beside Messaging): a manifest's menu entry names a badge (`"badge":
 * "messaging.pending"`), and an installed module fills it with a source (`m.views.badge(name, fn)`).
 * Only the entries a user sees are counted, each source once per page, all at once; a source that
 * fails leaves its badge out and the page is drawn anyway.
 */
export class MenuBadges {
  private readonly sources = new Map<string, { module: string; source: BadgeSource }>();

  constructor(private readonly logger: Logger) {}

  register(module: string, name: string, source: BadgeSource): void {
    const taken = this.sources.get(name);
    if (taken) throw new Error(`Menu badge "${name}" is filled twice (modules ${taken.module} and ${module})`);
    this.sources.set(name, { module, source });
  }

  has(name: string): boolean {
    return this.sources.has(name);
  }

  /** Sets `badge` ("3", "99+") on the items whose source counts more than zero for this user. */
  async fill(menus: MenuItem[], ctx: RequestContext): Promise<void> {
    const items = menus.flatMap((m) => [m, ...m.children]).filter((m) => m.badgeSource && this.sources.has(m.badgeSource));
    if (!items.length) return;
    const names = [...new Set(items.map((m) => m.badgeSource!))];
    const counts = new Map<string, number>();
    await Promise.all(
      names.map(async (name) => {
        try {
          counts.set(name, Number(await this.sources.get(name)!.source(ctx)));
        } catch (error) {
          this.logger.warn({ err: error, badge: name }, 'menu badge failed; the page is drawn without it');
        }
      }),
    );
    for (const item of items) {
      const n = counts.get(item.badgeSource!) ?? 0;
      if (n > 0) item.badge = n > BADGE_CAP ? `${BADGE_CAP}+` : String(n);
    }
  }
}
