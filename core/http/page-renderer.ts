import type { Request, Response } from 'express';
import type { Logger } from '../kernel/logger';
import type { ShellServices } from './http-services';
import type { PageResult } from '../modules/module-api';
import { buildMenus } from './menus';
import { PageReach } from './page-reach';

/** What the shell shows of the signed-in user; a page's own data of the same names never replaces it. */
const SHELL_KEYS = ['user', 'company', 'companies', 'menus', 'permissions', 'isSuperAdmin', 'csrfToken', 'mayOpen'] as const;
/** What the `can`, `link` and `csrf` helpers read: the signed-in user's, in the page's body too. */
const ACCESS_KEYS = ['permissions', 'isSuperAdmin', 'csrfToken', 'mayOpen'] as const;

/** Renders a page inside the shell: menus the user may see, flash messages, CSRF token, companies. */
export class PageRenderer {
  private reach?: PageReach;

  constructor(
    private readonly shell: ShellServices,
    private readonly logger: Logger,
    private readonly csrfToken: (req: Request) => string,
  ) {}

  async layoutData(req: Request, title?: string): Promise<Record<string, unknown>> {
    const ctx = req.tessera;
    const flash = req.session?.flash ?? [];
    if (req.session?.flash) {
      delete req.session.flash;
      // express-session sends all of a page but its last byte before saving a changed session: a user
      // (or a browser test) acting on the page at once would post with the shown message still stored,
      // and see it again on the next page. Forgetting it first makes a message show once.
      await new Promise<void>((resolve, reject) => req.session.save((error) => (error ? reject(error) : resolve())));
    }
    const base = { title: title ?? 'Tessera', csrfToken: this.csrfToken(req), flash, path: req.path, query: { ...(req.query as object) } };
    if (!ctx) return base;
    const menus = buildMenus(this.shell.manifests, ctx, req.path);
    const [companies] = await Promise.all([ctx.principal.companies ?? this.shell.companiesByIds(ctx.companyIds), this.shell.fillBadges(menus, ctx)]);
    return {
      ...base,
      user: ctx.user,
      menus,
      company: companies.find((c) => c.id === ctx.companyId) ?? null,
      companies: companies.map((c) => ({ ...c, selected: c.id === ctx.companyId })),
      permissions: [...ctx.principal.permissions],
      isSuperAdmin: ctx.principal.isSuperAdmin,
      // Read by the `link` and `mayOpen` helpers; routes are all declared once the first page renders.
      mayOpen: (this.reach ??= new PageReach(this.shell.pageRoutes)).forUser((p) => ctx.can(p)),
    };
  }

  async page(req: Request, res: Response, result: PageResult): Promise<void> {
    const layout = await this.layoutData(req, result.title);
    const data = { ...layout, ...(result.data ?? {}), ...pick(layout, ACCESS_KEYS) };
    const body = await this.shell.render(result.view, data, req.tessera ?? null);
    // The page may show another user (`/admin/users/2` passes `user`): the header still shows who is signed in.
    const html = await this.shell.render('layout', { ...data, ...pick(layout, SHELL_KEYS), body }, req.tessera ?? null);
    res.status(result.status ?? 200).type('html').send(html);
  }

  /** A page outside the shell (the sign-in page). */
  async bare(req: Request, res: Response, view: string, data: Record<string, unknown>, status = 200): Promise<void> {
    const layout = await this.layoutData(req, data.title as string | undefined);
    res.status(status).type('html').send(await this.shell.render(view, { ...layout, ...data }, null));
  }

  async error(req: Request, res: Response, status: number, message: string): Promise<void> {
    try {
      const view = this.shell.hasView(`errors/${status}`) ? `errors/${status}` : 'errors/500';
      await this.page(req, res, { view, title: `Error ${status}`, status, data: { status, message } });
    } catch (error) {
      this.logger.error({ err: error }, 'error page failed');
      if (!res.headersSent) res.status(status).type('text').send(message);
    }
  }
}

function pick(from: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => k in from).map((k) => [k, from[k]]));
}

export function flash(req: Request, type: 'success' | 'error' | 'info', message: string): void {
  req.session.flash = [...(req.session.flash ?? []), { type, message }];
}
