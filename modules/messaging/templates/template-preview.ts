import { ValidationError, type EntityHooks, type RequestContext } from 'tessera/core';
import type { Channel } from '../api';
import type { Catalogue } from '../notifications/catalogue';
import { render, templateProblem } from './template-render';
import type { TemplateRow } from './template-entity';

/** A template rendered on the sample record its notification declares. */
export async function previewTemplate(ctx: RequestContext, catalogue: Catalogue, input: { event: string; channel: Channel; subject?: string | null; body: string }): Promise<{ subject: string | null; body: string }> {
  const declaration = catalogue.get(input.event);
  if (!declaration) throw new ValidationError({ event: `"${input.event}" is not a declared notification` });
  const problem = templateProblem(input.body) ?? (input.subject ? templateProblem(input.subject) : null);
  if (problem) throw new ValidationError({ body: problem });
  const company = ctx.principal.companies?.find((c) => c.id === ctx.companyId);
  const data = { ...declaration.sample, company: { name: company?.name ?? 'Company', code: company?.code ?? '' } };
  return { subject: input.subject ? render(input.subject, data, input.channel, 'subject') : null, body: render(input.body, data, input.channel) };
}

/** Templates name a declared notification and compile; each problem is named beside its field. */
export function templateHooks(catalogue: Catalogue): EntityHooks<TemplateRow> {
  const check = (values: Record<string, unknown>) => {
    const errors: Record<string, string> = {};
    if (values.event !== undefined && !catalogue.get(String(values.event))) errors.event = `"${values.event}" is not a declared notification`;
    for (const key of ['subject', 'body']) {
      const problem = typeof values[key] === 'string' ? templateProblem(String(values[key])) : null;
      if (problem) errors[key] = problem;
    }
    if (Object.keys(errors).length) throw new ValidationError(errors);
  };
  return { beforeCreate: async (_ctx, values) => check(values), beforeUpdate: async (_ctx, changes) => check(changes) };
}
