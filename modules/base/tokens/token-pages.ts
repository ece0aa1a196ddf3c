import {
  AUTHENTICATED,
  type ModuleContext,
  type PageResult,
  CORE,
  type TokenService,
  type RequestContext,
  attempt,
  FormProblem,
  requireId,
  text,
} from 'tessera/core';

const tokens = (ctx: RequestContext) => ctx.container.get<TokenService>(CORE.Tokens);

/** Settings → API tokens: each user manages their own; a token acts with its user's roles. */
export function registerTokenPages(m: ModuleContext): void {
  m.routes.page({
    method: 'GET',
    path: '/account/tokens',
    permission: AUTHENTICATED,
    async handler(ctx) {
      return tokenPage(ctx);
    },
  });

  m.routes.page({
    method: 'POST',
    path: '/account/tokens',
    permission: AUTHENTICATED,
    async handler(ctx, { body }) {
      const name = text(body, 'name');
      const result = await attempt(() => tokens(ctx).create(ctx, name));
      if (!result.ok) return tokenPage(ctx, { name }, result);
      // Rendered, not redirected: the secret exists only in this response and is never stored.
      return tokenPage(ctx, {}, undefined, { token: result.value.token, name: result.value.record.name });
    },
  });

  m.routes.page({
    method: 'POST',
    path: '/account/tokens/:id/revoke',
    permission: AUTHENTICATED,
    async handler(ctx, { params }) {
      await tokens(ctx).revoke(ctx, requireId(params.id));
      return { redirect: '/account/tokens', flash: { type: 'success', message: 'Token revoked. Programs using it can no longer call the API.' } };
    },
  });
}

async function tokenPage(ctx: RequestContext, values: Record<string, unknown> = {}, problem?: FormProblem, created?: { token: string; name: string }): Promise<PageResult> {
  return {
    view: 'base/tokens',
    title: 'API tokens',
    status: problem?.status,
    data: {
      rows: await tokens(ctx).list(ctx),
      created: created ?? null,
      values,
      errors: problem?.errors ?? {},
      formError: problem?.message ?? null,
    },
  };
}
