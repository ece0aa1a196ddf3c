import {
  AUTHENTICATED,
  type ModuleContext,
  type PageResult,
  CORE,
  type UserService,
  type RequestContext,
  attempt,
  FormProblem,
  raw,
} from 'tessera/core';

/** The shell's own template, views/account-password.hbs (shell views are named by their path under views/). */
const VIEW = 'account-password';
const MIN_LENGTH = 8;

/** Any signed-in user changes their own password; the current one must be given. */
export function registerPasswordPages(m: ModuleContext): void {
  m.routes.page({
    method: 'GET',
    path: '/account/password',
    permission: AUTHENTICATED,
    async handler() {
      return passwordPage();
    },
  });

  m.routes.page({
    method: 'POST',
    path: '/account/password',
    permission: AUTHENTICATED,
    async handler(ctx: RequestContext, { body }) {
      const current = raw(body, 'current_password');
      const next = raw(body, 'new_password');
      const confirm = raw(body, 'confirm_password');
      const errors: Record<string, string> = {};
      const users = ctx.container.get<UserService>(CORE.Users);
      if (!current) errors.current_password = 'is required';
      // Every wrong field at once: a wrong current password is said even when the new one is refused too.
      else if (!(await users.checkOwnPassword(ctx, current))) errors.current_password = 'does not match your password';
      if (next.length < MIN_LENGTH) errors.new_password = `must be at least ${MIN_LENGTH} characters`;
      else if (next === current) errors.new_password = 'must differ from the current password';
      if (confirm !== next) errors.confirm_password = 'does not match the new password';
      if (Object.keys(errors).length) return passwordPage({ errors, message: 'The password was not changed.', status: 422 });
      const result = await attempt(() => users.changeOwnPassword(ctx, current, next));
      if (!result.ok) return passwordPage(result);
      return { redirect: '/', flash: { type: 'success', message: 'Your password has been changed.' } };
    },
  });
}

function passwordPage(problem?: FormProblem): PageResult {
  return {
    view: VIEW,
    title: 'Change password',
    status: problem?.status,
    data: {
      errors: problem?.errors ?? {},
      formError: problem?.message ?? null,
      passwordHint: `At least ${MIN_LENGTH} characters.`,
    },
  };
}
