import type { Command } from 'commander';
import { Kernel } from '../kernel/kernel';
import { print, checkDatabase } from './host';
import { loadConfig } from '../config/load-config';

/**
 * `tessera demo --scale 10000`: more demo data on request, so lists, paging and charts can be seen at
 * size; each installed module adds about that many of its main records (crm: customers) to a company.
 * The first start's demo stays small and fast.
 */
export function registerDemoCommands(program: Command): void {
  program
    .command('demo')
    .description('add demo data at scale to a company: every module seeds about N of its main records (crm: customers)')
    .requiredOption('--scale <n>', 'how many records each module adds, e.g. 10000')
    .option('--company <code>', 'company code or id; default: the first company')
    .action(async (options: { scale: string; company?: string }) => {
      const scale = Number(options.scale);
      if (!Number.isInteger(scale) || scale < 1 || scale > 5_000_000) throw new Error('--scale must be a whole number from 1 to 5000000');
      await checkDatabase(loadConfig());
      const kernel = await Kernel.boot({ runJobs: false, config: { logLevel: 'warn' } });
      try {
        const started = Date.now();
        const company = await seedDemoAtScale(kernel, scale, options.company);
        print(`added demo data at scale ${scale} to ${company.code} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      } finally {
        await kernel.close();
      }
    });
}

/** Runs every installed module's demo seeder with `scale`, each in its own transaction, in dependency order. */
export async function seedDemoAtScale(kernel: Kernel, scale: number, companyRef?: string): Promise<{ id: number; code: string }> {
  const companies = await kernel.knex('core_companies').orderBy('id').select('id', 'code');
  const company = companyRef ? companies.find((c: any) => c.code === companyRef || String(c.id) === companyRef) : companies[0];
  if (!company) throw new Error(`No company "${companyRef ?? ''}"`);
  for (const { module, seeder } of kernel.demoSeeders) {
    await kernel.knex.transaction((trx) => seeder({ trx, companyId: Number(company.id), container: kernel.container, scale })).catch((error) => {
      throw new Error(`Demo data of module "${module}" failed: ${(error as Error).message}`);
    });
  }
  return { id: Number(company.id), code: String(company.code) };
}
