import { spawn } from 'node:child_process';
import path from 'node:path';

export interface BootSample {
  bootMs: number;
  listenMs: number;
  processMs: number;
  /** Spawn to exit of the child, as the parent saw it (includes node and tsx start-up and closing). */
  wallMs: number;
  modules: string[];
}

export interface BootChildOptions {
  databaseUrl: string;
  modulesDir?: string;
  queuePrefix: string;
  timeoutMs?: number;
}

/** Starts the server once in a fresh process (bench/boot-child.ts) and returns its timings. */
export function bootInChild(options: BootChildOptions): Promise<BootSample> {
  const child = path.join(__dirname, 'boot-child.ts');
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['-r', 'tsx/cjs', child], {
      cwd: path.resolve(__dirname, '..'),
      env: {
        ...process.env,
        BENCH_CHILD_DATABASE_URL: options.databaseUrl,
        BENCH_CHILD_MODULES_DIR: options.modulesDir ?? '',
        BENCH_CHILD_QUEUE_PREFIX: options.queuePrefix,
        // The child must not inherit a profiler flag meant for the parent.
        NODE_OPTIONS: (process.env.NODE_OPTIONS ?? '').replace(/--cpu-prof\S*/g, ''),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => proc.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    proc.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`server start failed (${signal ?? `exit ${code}`}): ${errorLine(err) || line}`));
      try {
        resolve({ ...JSON.parse(line), wallMs });
      } catch {
        reject(new Error(`server start printed no timings: ${lastLines(out + err)}`));
      }
    });
  });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function lastLines(text: string, n = 8): string {
  return text.trim().split('\n').slice(-n).join('\n');
}

/** The message of a printed error: its first line that is not a stack frame. */
function errorLine(text: string): string {
  return text.split('\n').find((l) => l.trim() && !/^\s+at /.test(l))?.trim() ?? '';
}
