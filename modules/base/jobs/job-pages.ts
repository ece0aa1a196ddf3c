import {
  type ModuleContext,
  HANDLED,
  CORE,
  CORE_PERMISSIONS,
  inScope,
  type JobInfo,
  type JobQueue,
  type JobScope,
  type RequestContext,
  NotFoundError,
} from 'tessera/core';
import { jobCountsChart, totals } from './job-chart';

const queue = (ctx: RequestContext) => ctx.container.get<JobQueue>(CORE.JobQueue);
const JOB_ID = /^[1-9]\d{0,17}$/;

/** The jobs a user may see and act on: their companies' jobs; every job, and the installation's own, for a super admin. */
export function jobScopeOf(ctx: RequestContext): JobScope {
  return ctx.principal.isSuperAdmin ? 'all' : { companyIds: ctx.companyIds };
}

/** A job of the user's scope, or not found: another company's job is answered as if it did not exist. */
async function visibleJob(ctx: RequestContext, id: string | undefined): Promise<JobInfo | null> {
  const job = JOB_ID.test(id ?? '') ? await queue(ctx).get(id!) : null;
  return job && inScope(job, jobScopeOf(ctx)) ? job : null;
}

/** Settings → Jobs: the queues at a glance, running jobs with live progress, failures with a retry. */
export function registerJobPages(m: ModuleContext): void {
  m.routes.page({
    method: 'GET',
    path: '/admin/jobs',
    permission: CORE_PERMISSIONS.jobsManage,
    async handler(ctx) {
      const jobs = queue(ctx);
      const scope = jobScopeOf(ctx);
      // Read from the database's job ledger: the page renders whether or not Redis answers.
      const [counts, active, waiting, failed] = await Promise.all([
        jobs.counts(scope),
        jobs.list({ scope, status: 'active', limit: 50 }),
        jobs.list({ scope, status: 'waiting', limit: 20 }),
        jobs.list({ scope, status: 'failed', limit: 50 }),
      ]);
      const companyOf = companyNames(ctx);
      const shown = (job: JobInfo) => withUrls(job, companyOf);
      return {
        view: 'base/jobs',
        title: 'Jobs',
        data: {
          backend: jobs.kind === 'bull' ? 'Redis (bull)' : 'database (embedded)',
          queueState: jobs.state(),
          showCompany: scope === 'all' || ctx.companyIds.length > 1,
          counts,
          totals: totals(counts),
          chart: counts.length ? jobCountsChart(counts) : null,
          active: active.map(shown),
          waiting: waiting.map(shown),
          failed: failed.map(shown),
        },
      };
    },
  });

  // Polled by tessera.js for the progress bars; JSON rather than a page.
  m.routes.page({
    method: 'GET',
    path: '/admin/jobs/:id/status',
    permission: CORE_PERMISSIONS.jobsManage,
    async handler(ctx, { params }, _req, res) {
      const job = await visibleJob(ctx, params.id);
      res.setHeader('Cache-Control', 'no-store');
      if (!job) res.status(404).json({ error: { code: 'not_found', message: 'Job not found' } });
      else res.json({ id: job.id, status: job.status, progress: job.progress, detail: job.detail, error: job.error });
      return HANDLED;
    },
  });

  m.routes.page({
    method: 'POST',
    path: '/admin/jobs/:id/retry',
    permission: CORE_PERMISSIONS.jobsManage,
    async handler(ctx, { params }) {
      const job = await visibleJob(ctx, params.id);
      if (!job) throw new NotFoundError('Job');
      if (job.status !== 'failed') return { redirect: '/admin/jobs', flash: { type: 'info', message: `Job ${job.name} #${job.id} is ${job.status}; only failed jobs are retried.` } };
      await queue(ctx).assertAvailable();
      await queue(ctx).retry(job.id);
      return { redirect: '/admin/jobs', flash: { type: 'success', message: `Job ${job.name} #${job.id} queued again.` } };
    },
  });
}

function companyNames(ctx: RequestContext): (id: number | null) => string {
  const names = new Map((ctx.principal.companies ?? []).map((c) => [c.id, c.name]));
  return (id) => (id === null ? 'Installation' : (names.get(id) ?? `#${id}`));
}

function withUrls(job: JobInfo, companyOf: (id: number | null) => string) {
  const id = encodeURIComponent(job.id);
  return { ...job, company: companyOf(job.company_id), status_url: `/admin/jobs/${id}/status`, retry_url: `/admin/jobs/${id}/retry` };
}
