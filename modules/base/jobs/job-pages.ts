import type { ModuleContext } from '../../../core/modules/module-api';
import { HANDLED } from '../../../core/modules/module-api';
import { CORE } from '../../../core/kernel/identifiers';
import { CORE_PERMISSIONS } from '../../../core/security/services';
import type { JobInfo, JobQueue } from '../../../core/jobs/job-queue';
import type { RequestContext } from '../../../core/security/request-context';
import { NotFoundError } from '../../../core/http/errors';
import { jobCountsChart, totals } from './job-chart';

const queue = (ctx: RequestContext) => ctx.container.get<JobQueue>(CORE.JobQueue);
const JOB_ID = /^[1-9]\d{0,17}$/;

/** Settings → Jobs: the queues at a glance, running jobs with live progress, failures with a retry. */
export function registerJobPages(m: ModuleContext): void {
  m.routes.page({
    method: 'GET',
    path: '/admin/jobs',
    permission: CORE_PERMISSIONS.jobsManage,
    async handler(ctx) {
      const jobs = queue(ctx);
      const [counts, active, waiting, failed] = await Promise.all([
        jobs.counts('all'),
        jobs.list({ scope: 'all', status: 'active', limit: 50 }),
        jobs.list({ scope: 'all', status: 'waiting', limit: 20 }),
        jobs.list({ scope: 'all', status: 'failed', limit: 50 }),
      ]);
      return {
        view: 'base/jobs',
        title: 'Jobs',
        data: {
          backend: jobs.kind === 'bull' ? 'Redis (bull)' : 'database (embedded)',
          counts,
          totals: totals(counts),
          chart: counts.length ? jobCountsChart(counts) : null,
          active: active.map(withUrls),
          waiting: waiting.map(withUrls),
          failed: failed.map(withUrls),
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
      const job = JOB_ID.test(params.id ?? '') ? await queue(ctx).get(params.id) : null;
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
      if (!JOB_ID.test(params.id ?? '')) throw new NotFoundError('Job');
      const job = await queue(ctx).get(params.id);
      if (!job) throw new NotFoundError('Job');
      if (job.status !== 'failed') return { redirect: '/admin/jobs', flash: { type: 'info', message: `Job ${job.name} #${job.id} is ${job.status}; only failed jobs are retried.` } };
      await queue(ctx).retry(job.id);
      return { redirect: '/admin/jobs', flash: { type: 'success', message: `Job ${job.name} #${job.id} queued again.` } };
    },
  });
}

function withUrls(job: JobInfo) {
  const id = encodeURIComponent(job.id);
  return { ...job, status_url: `/admin/jobs/${id}/status`, retry_url: `/admin/jobs/${id}/retry` };
}
