import { expect } from 'chai';
import supertest from 'supertest';
import { Kernel } from '../../../core/kernel/kernel';
import { createTestDatabase, TestDatabase } from '../../support/test-database';
import { tessera, shown } from './run-cli';

describe('CLI: tessera user create and tessera token create', function () {
  this.timeout(120_000);
  let database: TestDatabase;
  let env: Record<string, string>;

  before(async () => {
    database = await createTestDatabase();
    env = { DATABASE_URL: database.url, TESSERA_MODULES_PATH: '', TESSERA_DEMO: 'true' };
  });
  after(() => database.drop());

  it('creates a user with a role in a company, then a token printed alone on the last line that works against the API', async () => {
    const user = await tessera(['user', 'create', '--email', 'Clerk@Example.test', '--password', 'clerk-password-1', '--role', 'Super admin', '--company', 'DEMO'], env);
    expect(user.code, shown(user)).to.equal(0);
    expect(user.stdout).to.match(/^created user \d+ <clerk@example\.test> with role "Super admin" in DEMO\n$/);

    const token = await tessera(['token', 'create', '--email', 'clerk@example.test'], env);
    expect(token.code, shown(token)).to.equal(0);
    const secret = token.lines.at(-1)!;
    expect(secret).to.match(/^\S+$/, 'the last line is the token and nothing else');
    expect(token.stdout.endsWith(`\n${secret}\n`)).to.equal(true);

    const kernel = await Kernel.boot({ runJobs: false, config: { databaseUrl: database.url, redisUrl: null, logLevel: 'silent', modulesPath: [] } });
    try {
      const clerk = await kernel.knex('core_users').where({ email: 'clerk@example.test' }).first();
      expect(await kernel.tokens.authenticate(secret)).to.equal(Number(clerk.id));
      const companies = await supertest(kernel.http().app).get('/api/v1/base/companies').set('Authorization', `Bearer ${secret}`).expect(200);
      expect(JSON.stringify(companies.body)).to.contain('"DEMO"');
      await supertest(kernel.http().app).get('/api/v1/base/companies').set('Authorization', `Bearer ${secret}x`).expect(401);
    } finally {
      await kernel.close();
    }
  });

  it('refuses an unknown role, an unknown company and an unknown e-mail with a non-zero exit and the reason', async () => {
    const role = await tessera(['user', 'create', '--email', 'a@example.test', '--password', 'password-123', '--role', 'Astronaut'], env);
    expect(role.code, shown(role)).to.equal(1);
    expect(role.stderr).to.equal('tessera: No role named "Astronaut" in company DEMO\n');

    const company = await tessera(['user', 'create', '--email', 'a@example.test', '--password', 'password-123', '--role', 'Super admin', '--company', 'NOPE'], env);
    expect(company.code, shown(company)).to.equal(1);
    expect(company.stderr).to.equal('tessera: No company "NOPE"\n');

    const token = await tessera(['token', 'create', '--email', 'nobody@example.test'], env);
    expect(token.code, shown(token)).to.equal(1);
    expect(token.stderr).to.equal('tessera: No user with e-mail nobody@example.test\n');
  });

  it('names a missing required option', async () => {
    const result = await tessera(['user', 'create', '--email', 'a@example.test'], env);
    expect(result.code, shown(result)).to.equal(1);
    expect(result.stderr).to.contain("required option '--password <password>' not specified");
  });
});
