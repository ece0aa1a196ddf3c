/** base's permission names, for its own files and (through api.ts) for other modules. */
export const BASE_PERMISSIONS = {
  shopRead: 'base.shop.read',
  shopManage: 'base.shop.manage',
  apiRead: 'base.api.read',
} as const;
