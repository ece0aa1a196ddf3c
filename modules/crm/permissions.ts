/** Permission names as declared in manifest.json; one place so routes and views cannot drift apart. */
export const PERM = {
  customerRead: 'crm.customer.read',
  customerWrite: 'crm.customer.write',
  customerDelete: 'crm.customer.delete',
  loginDetails: 'crm.customer.login_details',
  customerImport: 'crm.customer.import',
  customerExport: 'crm.customer.export',
  groupRead: 'crm.group.read',
  groupManage: 'crm.group.manage',
} as const;
