import type express from 'express';
import { HANDLED, type PublicAccess } from '../modules/module-api';
import type { DeclaredPublicRoute } from './route-table';
import { flash, type PageRenderer } from './page-renderer';

/**
 * Mounts the public pages modules declared: no sign-in, no permission, the module's own document.
 * The handler starts as nobody; what it may reach is what the token in its path leads to.
 */
export function mountPublicRoutes(app: express.Express, routes: readonly DeclaredPublicRoute[], access: PublicAccess, renderer: PageRenderer): void {
  for (const route of routes) {
    const method = route.method.toLowerCase() as 'get' | 'post';
    app[method](route.path, async (req, res, next) => {
      try {
        // A stranger's page must not be kept by shared caches, nor its token leak through the Referer.
        res.setHeader('Cache-Control', 'private, no-store');
        res.setHeader('Referrer-Policy', 'no-referrer');
        const result = await route.handler(access, { params: { ...req.params } as Record<string, string>, query: { ...(req.query as object) }, body: req.body ?? {} }, req, res);
        if (result === HANDLED || res.headersSent) return;
        if ('redirect' in result) {
          if (result.flash) flash(req, result.flash.type, result.flash.message);
          return res.redirect(result.redirect);
        }
        await renderer.bare(req, res, result.view, result.data ?? {}, result.status ?? 200);
      } catch (error) {
        next(error);
      }
    });
  }
}
