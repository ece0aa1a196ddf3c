import crypto from 'node:crypto';
import { expect } from 'chai';
import { startTestApp, type TestApp, type TestAgent } from 'tessera/testing';

/**
 * Jobs belong to the company they work for. The jobs pages, the dashboard's panel and the status and
 * retry routes show and act only on the user's companies' jobs; a super admin sees every job, and
 * only a super admin sees the installation's own (the outbox's, the schedules').
 */
describe('jobs pages: each user sees and retries only their companies\' jobs', () => {
  let t: TestApp;
  let companyA: number;
  let companyB: number;
  const jobs: Record<'a' | 'b' | 'installation', string> = { a: '', b: '', installation: '' };
  const runs: Record<string, number> = {};
  const JOB = `jobscope${crypto.randomBytes(3).toString('hex')}.refuse`;
  const as = async (companyIds: number[]) => {
    const user = await t.createUser({ permissions: ['core.jobs.manage'], companyIds });
    return t.login(user.email, user.password);
  };
  const shows = (html: string, id: string) => html.includes(`#${id}</span>`);

  before(async () => {
    t = await startTestApp();
    const now = new Date();
    const company = async (code: string) => Number((await t.knex('core_companies').insert({ code, name: `Jobs ${code}`, currency: 'EUR', timezone: 'UTC', created_at: now, updated_at: now }))[0]);
    companyA = await company(`JA${crypto.randomBytes(3).toString('hex')}`);
    companyB = await company(`JB${crypto.randomBytes(3).toString('hex')}`);
    t.kernel.jobs.define(JOB, async (job) => {
      runs[job.jobId] = (runs[job.jobId] ?? 0) + 1;
      throw new Error(`refused for company ${job.companyId}`);
    }, 1);
    const owner = await t.createUser({ permissions: ['core.jobs.manage'], companyIds: [companyA, companyB] });
    jobs.a = await (await t.contextFor(owner.id, companyA)).db.enqueue(JOB, {});
    jobs.b = await (await t.contextFor(owner.id, companyB)).db.enqueue(JOB, {});
    jobs.installation = await t.kernel.queue.enqueue(JOB, {});
    await t.drainJobs();
    for (const id of Object.values(jobs)) expect(await t.kernel.queue.get(id)).to.include({ status: 'failed' });
  });

  it("lists a user's companies' jobs and counts only those", async () => {
    const agentA = await as([companyA]);
    const page = (await agentA.get('/admin/jobs').expect(200)).text;
    expect(shows(page, jobs.a)).to.equal(true);
    expect(shows(page, jobs.b)).to.equal(false);
    expect(shows(page, jobs.installation)).to.equal(false);
    expect(page).to.not.contain('<th scope="col">Company</th>');
    const dashboard = (await agentA.get('/').expect(200)).text;
    expect(dashboard).to.match(/<div class="stat-value">1<\/div><div class="stat-label">failed<\/div>/);
  });

  it("answers another company's job, and the installation's, as not found: no status, no retry", async () => {
    const agentA = await as([companyA]);
    expect((await agentA.get(`/admin/jobs/${jobs.a}/status`).expect(200)).body).to.include({ id: jobs.a, status: 'failed' });
    for (const id of [jobs.b, jobs.installation]) {
      await agentA.get(`/admin/jobs/${id}/status`).expect(404);
      await agentA.post(`/admin/jobs/${id}/retry`).expect(404);
      expect(await t.kernel.queue.get(id)).to.include({ status: 'failed' });
    }
    expect(runs[jobs.b]).to.equal(1);
  });

  it('retries a failed job of the user\'s company', async () => {
    const agentB = await as([companyB]);
    const res = await agentB.post(`/admin/jobs/${jobs.b}/retry`).expect(302);
    expect(res.headers.location).to.equal('/admin/jobs');
    await t.drainJobs();
    expect(runs[jobs.b]).to.equal(2);
    expect(await t.kernel.queue.get(jobs.b)).to.include({ status: 'failed' });
  });

  it('shows a user of several companies each job with its company', async () => {
    const agentAB = await as([companyA, companyB]);
    const page = (await agentAB.get('/admin/jobs').expect(200)).text;
    expect(shows(page, jobs.a) && shows(page, jobs.b)).to.equal(true);
    expect(shows(page, jobs.installation)).to.equal(false);
    expect(page).to.contain('<th scope="col">Company</th>');
    expect(page).to.contain(`Jobs JA`);
  });

  it("shows a super admin every job, the installation's own included", async () => {
    const admin: TestAgent = await t.login(t.admin.email, t.admin.password);
    const page = (await admin.get('/admin/jobs').expect(200)).text;
    for (const id of Object.values(jobs)) expect(shows(page, id), id).to.equal(true);
    expect(page).to.contain('<td>Installation</td>');
    await admin.get(`/admin/jobs/${jobs.installation}/status`).expect(200);
  });
});
