import { CronExpressionParser } from './cron';
import type { EnqueueOptions } from './job-queue';
import type { JobRegistry } from './job-registry';
import type { Logger } from '../kernel/logger';

/**
 * Enqueues each scheduled job at its cron ticks. Every process that runs jobs plans them; the job key
 * names the tick, so however many processes plan it, the ledger holds one job per tick.
 */
export class SchedulePlanner {
  private timers: NodeJS.Timeout[] = [];
  private running = false;

  constructor(
    private readonly registry: JobRegistry,
    private readonly enqueue: (name: string, data: unknown, options: EnqueueOptions) => Promise<string>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const schedule of this.registry.schedules) this.plan(schedule.name, schedule.cron);
  }

  stop(): void {
    this.running = false;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
  }

  private plan(name: string, cron: string): void {
    if (!this.running) return;
    const tick = CronExpressionParser.next(cron);
    const timer = setTimeout(() => {
      this.timers = this.timers.filter((t) => t !== timer);
      const scheduledFor = tick.toISOString();
      this.enqueue(name, { scheduled_for: scheduledFor }, { jobKey: `${name}@${scheduledFor}`, companyId: null })
        .catch((error) => this.logger.warn({ err: error, job: name, scheduledFor }, 'scheduled job not recorded'))
        .finally(() => this.plan(name, cron));
    }, Math.max(0, tick.getTime() - Date.now()));
    timer.unref();
    this.timers.push(timer);
  }
}
