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

export interface ServeSample {
  /** Process start (performance.timeOrigin) to the port listening, as `tessera serve` logs it. */
  startMs: number;
  bootMs: number;
  /** What ran: the compiled host under dist/ or the sources through tsx. */
  code: 'compiled' | 'sources';
}

/**
 * Starts `node bin/tessera.js serve` (what `npm start` runs) once on an existing database, reads its
 * "Tessera is listening" log line, and stops it. `sources` runs the TypeScript through tsx instead of
 * the compiled host. Jobs run in-process (no Redis), as in the embedded default.
 */
export function serveInChild(options: { databaseUrl: string; sources?: boolean; timeoutMs?: number }): Promise<ServeSample> {
  const root = path.resolve(__dirname, '..');
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [path.join(root, 'bin', 'tessera.js'), 'serve'], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: options.databaseUrl,
        PORT: '0',
        LOG_LEVEL: 'info',
        // Jobs in-process: a served child on Redis would share the default queue prefix with others.
        REDIS_URL: '',
        TESSERA_RUN_SOURCES: options.sources ? '1' : '',
        NODE_OPTIONS: (process.env.NODE_OPTIONS ?? '').replace(/--cpu-prof\S*/g, ''),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let sample: ServeSample | null = null;
    const timer = setTimeout(() => proc.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    proc.stderr.on('data', (d) => (err += d));
    proc.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.includes('"Tessera is listening"'));
      if (line && !sample) {
        const logged = JSON.parse(line);
        sample = { startMs: logged.startMs, bootMs: logged.bootMs, code: logged.code };
        proc.kill('SIGTERM');
      }
    });
    proc.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (sample) return resolve(sample);
      reject(new Error(`tessera serve did not listen (${signal ?? `exit ${code}`}): ${errorLine(err) || lastLines(out)}`));
    });
  });
}

/** The floor under those figures: a plain node HTTP server, process start to listening, in this run. */
export function plainServerInChild(): Promise<number> {
  const script = "require('node:http').createServer((q, s) => s.end()).listen(0, () => { process.stdout.write(String(performance.now()) + '\\n'); process.exit(0); });";
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.on('error', reject);
    proc.on('exit', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`plain server exited ${code}`))));
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
