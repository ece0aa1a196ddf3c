import Handlebars from 'handlebars';
import type { Channel } from '../api';

/**
 * Renders a template with its variables. One handlebars environment of its own (no helpers or partials
 * of the pages leak in). E-mail bodies are HTML: values are escaped. SMS and WhatsApp are plain text:
 * nothing to escape, and `&amp;` in a text message would be a bug.
 */
const env = Handlebars.create();
const cache = new Map<string, HandlebarsTemplateDelegate>();

export class TemplateError extends Error {}

export function render(source: string, data: Record<string, unknown>, channel: Channel, part: 'subject' | 'body' = 'body'): string {
  const html = channel === 'email' && part === 'body';
  const key = `${html ? 'h' : 't'}:${source}`;
  let compiled = cache.get(key);
  if (!compiled) {
    try {
      compiled = env.compile(source, { noEscape: !html, strict: false, knownHelpersOnly: true, knownHelpers: { if: true, unless: true, each: true, with: true } });
      compiled({});
    } catch (error) {
      throw new TemplateError((error as Error).message.split('\n')[0]);
    }
    if (cache.size > 500) cache.clear();
    cache.set(key, compiled);
  }
  return compiled(data, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false });
}

/** The template's problem in words, or null when it compiles. */
export function templateProblem(source: string): string | null {
  try {
    render(source, {}, 'email');
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}
