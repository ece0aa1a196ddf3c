import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface WebProcesses {
  urls: string[];
  pids: number[];
  stop(): Promise<void>;
}

/** Starts `count` web processes (bench/web-child.ts) on an existing database and answers their URLs. */
export async function startWebProcesses(count: number, databaseUrl: string, instanceName: string): Promise<WebProcesses> {
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map((child) => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    })));
  };
  try {
    const urls = await Promise.all(Array.from({ length: count }, () => new Promise<string>((resolve, reject) => {
      // BENCH_WEB_NODE_ARGS (`--cpu-prof --cpu-prof-dir=...`) profiles the server, not the bench.
      const nodeArgs = (process.env.BENCH_WEB_NODE_ARGS ?? '').split(' ').filter(Boolean);
      const child = spawn(process.execPath, [...nodeArgs, '-r', 'tsx/cjs', path.join(__dirname, 'web-child.ts')], {
        cwd: path.resolve(__dirname, '..'),
        env: {
          ...process.env,
          BENCH_WEB_DATABASE_URL: databaseUrl,
          BENCH_WEB_INSTANCE: instanceName,
          NODE_OPTIONS: (process.env.NODE_OPTIONS ?? '').replace(/--cpu-prof\S*/g, ''),
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      children.push(child);
      let out = '';
      let err = '';
      const timer = setTimeout(() => reject(new Error('web process did not listen within 120 s')), 120_000);
      child.stderr!.on('data', (d) => (err += d));
      child.stdout!.on('data', (d) => {
        out += d;
        const line = out.split('\n').find((l) => l.startsWith('{"url"'));
        if (line) {
          clearTimeout(timer);
          resolve(JSON.parse(line).url);
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`web process exited ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
      });
    })));
    return { urls, pids: children.map((c) => c.pid!), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
