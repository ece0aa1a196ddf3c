import { CORE, type SettingsService, type RequestContext, NotFoundError } from 'tessera/core';
import { moduleLabel } from '../roles/permission-groups';

/** Where core keeps settings; its audit entries are recorded on this table with the company's id. */
export const SETTINGS_TABLE = 'core_settings';

export interface EditableModule {
  module: string;
  label: string;
  description: string;
  schema: Record<string, unknown>;
}

export const settingsService = (ctx: RequestContext) => ctx.container.get<SettingsService>(CORE.Settings);

/** Installed modules that declare settings, in dependency order. */
export function editableModules(ctx: RequestContext): EditableModule[] {
  return settingsService(ctx)
    .editable()
    .map((e) => ({ module: e.module, label: moduleLabel(e.module), description: e.description, schema: e.schema }));
}

/** One of them, by the name in the URL; any other name is a page (or resource) that does not exist. */
export function editableModule(ctx: RequestContext, name: string | undefined): EditableModule {
  const found = editableModules(ctx).find((e) => e.module === name);
  if (!found) throw new NotFoundError('Module settings');
  return found;
}
