import type { Kernel } from './kernel';
import { withDbLock } from '../db/db-lock';
import { hashPassword } from '../security/passwords';

/**
 * A database with no user gets a company, the super admin role and the admin the README names; with
 * demo data on, the company is the demo company and every installed module seeds its demo rows.
 */
export async function seedFirstStart(kernel: Kernel): Promise<void> {
  if (await kernel.knex('core_users').first('id')) return;
  await withDbLock(kernel.knex, 'first-start', async () => {
    if (await kernel.knex('core_users').first('id')) return;
    const { config, knex } = kernel;
    const now = new Date();
    const passwordHash = await hashPassword(config.admin.password);
    const companyId = await knex.transaction(async (trx) => {
      const [company] = await trx('core_companies').insert({
        code: config.demo ? 'DEMO' : 'MAIN',
        name: config.demo ? 'Demo Company' : 'My Company',
        currency: 'EUR',
        timezone: 'UTC',
        created_at: now,
        updated_at: now,
      });
      const [role] = await trx('core_roles').insert({ company_id: null, name: 'Super admin', description: 'Every permission, in every company', is_super_admin: true, created_at: now, updated_at: now });
      const [user] = await trx('core_users').insert({ email: config.admin.email.toLowerCase(), name: 'Administrator', password_hash: passwordHash, is_active: true, default_company_id: company, created_at: now, updated_at: now });
      await trx('core_user_companies').insert({ user_id: user, company_id: company });
      await trx('core_user_roles').insert({ user_id: user, role_id: role });
      return Number(company);
    });
    if (config.demo) {
      for (const { module, seeder } of kernel.demoSeeders) {
        await knex.transaction((trx) => seeder({ trx, companyId, container: kernel.container })).catch((error) => {
          throw new Error(`Demo data of module "${module}" failed: ${(error as Error).message}`);
        });
      }
    }
    kernel.logger.info({ email: config.admin.email, demo: config.demo }, 'first start: company and admin created');
  });
}
