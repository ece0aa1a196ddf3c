import type { ModuleContext } from 'tessera/core';
import { BASE_PERMISSIONS } from '../permissions';

/**
 * The API reference for integrators: the app's own OpenAPI document (/api/v1/openapi.json) rendered by
 * swagger-ui, served from node_modules by the app (CSP 'self'), started by a script file of base's.
 */
export function registerApiReferencePages(m: ModuleContext): void {
  m.routes.page({
    method: 'GET',
    path: '/admin/api',
    permission: BASE_PERMISSIONS.apiRead,
    async handler() {
      return { view: 'base/api-reference', title: 'API reference', data: { specUrl: '/api/v1/openapi.json' } };
    },
  });
}
