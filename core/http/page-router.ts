import type express from 'express';
import type { DeclaredPageRoute } from './route-table';
import { AUTHENTICATED, HANDLED } from '../modules/module-api';
import { ForbiddenError, UnauthenticatedError } from '../errors';
import { flash, PageRenderer } from './page-renderer';

/** Mounts every declared page: sign-in required, permission checked, then rendered in the shell. */
export function mountPageRoutes(app: express.Express, routes: readonly DeclaredPageRoute[], renderer: PageRenderer): void {
  for (const route of routes) {
    const method = route.method.toLowerCase() as 'get' | 'post' | 'patch' | 'put' | 'delete';
    app[method](route.path, async (req, res, next) => {
      try {
        const ctx = req.tessera;
        if (!ctx) throw new UnauthenticatedError();
        if (route.permission !== AUTHENTICATED && !ctx.can(route.permission)) throw new ForbiddenError(route.permission);
        const result = await route.handler(ctx, { params: { ...req.params } as Record<string, string>, query: { ...(req.query as object) }, body: req.body ?? {} }, req, res);
        if (result === HANDLED || res.headersSent) return;
        if ('redirect' in result) {
          if (result.flash) flash(req, result.flash.type, result.flash.message);
          return res.redirect(result.redirect);
        }
        await renderer.page(req, res, result);
      } catch (error) {
        next(error);
      }
    });
  }
}
