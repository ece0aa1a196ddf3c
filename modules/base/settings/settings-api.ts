import { type ModuleContext, CORE_PERMISSIONS } from 'tessera/core';
import { editableModule, editableModules, settingsService } from './module-settings';
import { moduleParams, moduleSettingsPage, settingsBody, settingsValues } from './settings-schemas';

const tags = ['Settings'];

/**
 * `/api/v1/base/settings`: the per-company settings of modules, for the caller's current company
 * (`X-Company-Id` picks another of theirs).
 */
export function registerSettingsApi(m: ModuleContext): void {
  m.routes.api({
    method: 'GET',
    path: '/settings',
    permission: CORE_PERMISSIONS.settingsManage,
    summary: 'List the modules that have settings, with the JSON Schema of each',
    tags,
    response: moduleSettingsPage,
    async handler(ctx) {
      // One entry per installed module: one page, no cursor.
      return { data: editableModules(ctx), next_cursor: null };
    },
  });

  m.routes.api({
    method: 'GET',
    path: '/settings/{module}',
    permission: CORE_PERMISSIONS.settingsManage,
    summary: "Get a module's settings for your current company (defaults filled in)",
    tags,
    params: moduleParams,
    response: settingsValues,
    async handler(ctx, { params }) {
      const entry = editableModule(ctx, params.module);
      return settingsService(ctx).get(ctx.companyId, entry.module);
    },
  });

  m.routes.api({
    method: 'PUT',
    path: '/settings/{module}',
    permission: CORE_PERMISSIONS.settingsManage,
    summary: "Replace a module's settings for your current company (422 naming each invalid field, e.g. `custom_fields.0.key`)",
    tags,
    params: moduleParams,
    body: settingsBody,
    response: settingsValues,
    async handler(ctx, { params, body }) {
      const entry = editableModule(ctx, params.module);
      return settingsService(ctx).update(ctx, entry.module, body);
    },
  });
}
