import type express from 'express';
import type { PeopleServices } from './http-services';
import type { PageRenderer } from './page-renderer';
import { flash } from './page-renderer';
import { TooManyAttemptsError } from '../security/login-service';

/** Sign-in, sign-out and the company switcher: the only session routes core owns. */
export function mountAuthRoutes(app: express.Express, people: Pick<PeopleServices, 'login'>, renderer: PageRenderer): void {
  app.get('/login', async (req, res) => {
    if (req.tessera) return res.redirect('/');
    await renderer.bare(req, res, 'login', { title: 'Sign in', next: safeNext(req.query.next), values: {} });
  });

  app.post('/login', async (req, res, next) => {
    const email = String(req.body?.email ?? '');
    const password = String(req.body?.password ?? '');
    const target = safeNext(req.body?.next);
    try {
      const userId = await people.login(email, password, req.ip ?? 'unknown');
      if (!userId) {
        return renderer.bare(req, res, 'login', { title: 'Sign in', next: target, values: { email }, error: 'E-mail or password is wrong.' }, 401);
      }
      // A new session id at sign-in: an id planted before login is worth nothing after it.
      req.session.regenerate((error) => {
        if (error) return next(error);
        req.session.userId = userId;
        req.session.save((saveError) => (saveError ? next(saveError) : res.redirect(target)));
      });
    } catch (error) {
      if (error instanceof TooManyAttemptsError) {
        res.set('Retry-After', String(error.retryAfterSeconds));
        return renderer.bare(req, res, 'login', { title: 'Sign in', next: target, values: { email }, error: error.message }, 429);
      }
      next(error);
    }
  });

  app.post('/logout', (req, res, next) => {
    req.session.destroy((error) => {
      if (error) return next(error);
      res.clearCookie('tessera.sid');
      res.redirect('/login');
    });
  });

  app.post('/session/company', (req, res) => {
    const ctx = req.tessera;
    if (!ctx) return res.redirect('/login');
    const companyId = Number(req.body?.company_id);
    if (ctx.companyIds.includes(companyId)) {
      req.session.companyId = companyId;
      flash(req, 'info', 'Company switched.');
    }
    res.redirect(safeNext(req.body?.next ?? req.get('referer')));
  });
}

/** Only same-site paths: `next` must not send a user to another host after signing in. */
export function safeNext(value: unknown): string {
  const text = typeof value === 'string' ? value : '';
  try {
    const url = new URL(text, 'http://tessera.local');
    if (url.host !== 'tessera.local' || !url.pathname.startsWith('/') || url.pathname.startsWith('//')) return '/';
    return url.pathname + url.search;
  } catch {
    return '/';
  }
}
