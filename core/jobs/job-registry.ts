import type { JobContext } from '../modules/module-api';

export interface JobDefinition {
  name: string;
  handler: (ctx: JobContext) => Promise<unknown>;
  attempts: number;
}

export interface ScheduleDefinition {
  name: string;
  cron: string;
}

/** The jobs modules defined, shared by whichever queue implementation runs them. */
export class JobRegistry {
  private readonly jobs = new Map<string, JobDefinition>();
  readonly schedules: ScheduleDefinition[] = [];

  define(name: string, handler: JobDefinition['handler'], attempts = 3): void {
    if (this.jobs.has(name)) throw new Error(`Job "${name}" is defined twice`);
    this.jobs.set(name, { name, handler, attempts });
  }

  schedule(name: string, cron: string): void {
    this.schedules.push({ name, cron });
  }

  get(name: string): JobDefinition {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`No job named "${name}"`);
    return job;
  }

  has(name: string): boolean {
    return this.jobs.has(name);
  }

  names(): string[] {
    return [...this.jobs.keys()];
  }
}

/** `crm.import` runs on the `crm` queue. */
export function queueOf(jobName: string): string {
  return jobName.split('.')[0];
}
