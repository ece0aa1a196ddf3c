import type { Command } from 'commander';
import { Kernel } from '../kernel/kernel';
import { CORE } from '../kernel/identifiers';
import type { UserServiceImpl } from '../security/user-service';
import { print, checkDatabase } from './host';
import { loadConfig } from '../config/load-config';

export function registerUserCommands(program: Command): void {
  program
    .command('user')
    .description('manage users')
    .command('create')
    .description('create a user with a role, in a company')
    .requiredOption('--email <email>')
    .requiredOption('--password <password>')
    .requiredOption('--role <role>', 'role name (e.g. "Super admin")')
    .option('--company <code>', 'company code or id; default: the first company')
    .option('--name <name>', 'display name; default: the part of the e-mail before @')
    .action(async (options: { email: string; password: string; role: string; company?: string; name?: string }) => {
      await withKernel(async (kernel) => {
        const companies = await kernel.knex('core_companies').orderBy('id');
        const company = options.company ? companies.find((c: any) => c.code === options.company || String(c.id) === options.company) : companies[0];
        if (!company) throw new Error(`No company "${options.company ?? ''}"`);
        const role = await kernel.knex('core_roles').where({ name: options.role }).where((w) => w.where({ company_id: company.id }).orWhereNull('company_id')).first();
        if (!role) throw new Error(`No role named "${options.role}" in company ${company.code}`);
        const users = kernel.container.get<UserServiceImpl>(CORE.Users);
        const user = await users.create(kernel.contexts.system([Number(company.id)]), {
          email: options.email,
          name: options.name ?? options.email.split('@')[0],
          password: options.password,
          role_ids: [Number(role.id)],
          company_ids: [Number(company.id)],
        });
        print(`created user ${user.id} <${user.email}> with role "${role.name}" in ${company.code}`);
      });
    });

  program
    .command('token')
    .description('manage API tokens')
    .command('create')
    .description('create an API token for a user; prints the token alone on the last line')
    .requiredOption('--email <email>')
    .option('--name <name>', 'what the token is for', 'cli')
    .action(async (options: { email: string; name: string }) => {
      await withKernel(async (kernel) => {
        const user = await kernel.knex('core_users').where({ email: options.email.toLowerCase() }).first();
        if (!user) throw new Error(`No user with e-mail ${options.email}`);
        const { token } = await kernel.tokens.createFor(Number(user.id), options.name);
        print(`Token for ${user.email} (shown once; keep it secret):`);
        print(token);
      });
    });
}

async function withKernel(work: (kernel: Kernel) => Promise<void>): Promise<void> {
  await checkDatabase(loadConfig());
  const kernel = await Kernel.boot({ runJobs: false, config: { logLevel: 'warn' } });
  try {
    await work(kernel);
  } finally {
    await kernel.close();
  }
}
