import type express from 'express';
import type { HttpServices } from './http-services';
import type { PageRenderer } from './page-renderer';
import { flash } from './page-renderer';
import { AppError, ValidationError } from '../errors';
import { MIN_PASSWORD_LENGTH, RESET_LIMITS } from '../security/password-reset';

const SENT = `If an account uses this address, a link to choose a new password is on its way. It works once, within ${RESET_LIMITS.ttlMinutes} minutes.`;

/**
 * "Forgot your password?" from the sign-in page. Core owns the rule (same answer for any address,
 * single-use expiring links, limits, audit); sending the link is a module's (`CORE.ResetLinkSender`).
 * Without such a module the page says to ask an administrator.
 */
export function mountPasswordResetRoutes(app: express.Express, resets: HttpServices['passwordResets'], renderer: PageRenderer, publicUrl: string | undefined): void {
  const forgotPage = (req: express.Request, res: express.Response, data: Record<string, unknown> = {}, status = 200) =>
    renderer.bare(req, res, 'password-forgot', { title: 'Forgot password', available: resets.available(), values: {}, ...data }, status);

  app.get('/password/forgot', async (req, res) => {
    if (req.tessera) return res.redirect('/account/password');
    await forgotPage(req, res);
  });

  app.post('/password/forgot', async (req, res, next) => {
    const email = String(req.body?.email ?? '').trim();
    if (!resets.available()) return forgotPage(req, res);
    if (!email) return forgotPage(req, res, { error: 'Enter the e-mail address you sign in with.', errors: { email: 'is required' } }, 422);
    try {
      // The configured public address, when set: a link built from a forged Host header would send the token elsewhere.
      await resets.request(email, req.ip ?? 'unknown', publicUrl ?? `${req.protocol}://${req.get('host')}`);
      await forgotPage(req, res, { sent: SENT, values: { email } });
    } catch (error) {
      if (error instanceof AppError && error.status === 429) return forgotPage(req, res, { error: error.message }, 429);
      next(error);
    }
  });

  app.get('/password/reset', async (req, res) => {
    const token = String(req.query.token ?? '');
    await resetPage(req, res, token, (await resets.valid(token)) ? {} : { invalid: true }, 200);
  });

  app.post('/password/reset', async (req, res, next) => {
    const token = String(req.body?.token ?? '');
    try {
      await resets.reset(token, String(req.body?.password ?? ''), String(req.body?.confirm_password ?? ''), req.ip ?? 'unknown');
      flash(req, 'success', 'Your password has been changed. Sign in with the new one.');
      res.redirect('/login');
    } catch (error) {
      if (error instanceof ValidationError) return resetPage(req, res, token, { errors: error.fields, error: 'The password was not changed.' }, 422);
      if (error instanceof AppError && error.status === 410) return resetPage(req, res, token, { invalid: true }, 410);
      next(error);
    }
  });

  function resetPage(req: express.Request, res: express.Response, token: string, data: Record<string, unknown>, status: number) {
    return renderer.bare(req, res, 'password-reset', { title: 'Choose a new password', token: data.invalid ? null : token, hint: `At least ${MIN_PASSWORD_LENGTH} characters.`, errors: {}, ...data }, status);
  }
}
