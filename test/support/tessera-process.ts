import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT_DIR } from '../../core/config/load-config';
import { freePort } from './redis-server';

/** A real `node bin/tessera.js serve|worker` process, as an operator runs it, with its output kept. */
export interface TesseraProcess {
  readonly role: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** `http://127.0.0.1:<port>` for a web process. */
  readonly url: string | null;
  output(): string;
  /** Resolves when the process has exited, with the signal that ended it, if any. */
  exited: Promise<NodeJS.Signals | null>;
  /** SIGTERM and a wait for the exit; SIGKILL if it does not come. */
  stop(): Promise<void>;
}

const STARTUP_MS = 90_000;

/** Starts `tessera serve` on a free port and resolves once its /healthz answers 200. */
export async function startWeb(role: string, env: Record<string, string>): Promise<TesseraProcess> {
  const port = await freePort();
  const proc = launch(role, ['serve'], { ...env, PORT: String(port) }, `http://127.0.0.1:${port}`);
  await until(proc, async () => (await fetch(`${proc.url}/healthz`).catch(() => null))?.status === 200);
  return proc;
}

/** Starts `tessera worker` and resolves once it says it is running. */
export async function startWorker(role: string, env: Record<string, string>): Promise<TesseraProcess> {
  const proc = launch(role, ['worker'], { ...env, LOG_LEVEL: 'info' }, null);
  await until(proc, async () => proc.output().includes('"msg":"worker running"'));
  return proc;
}

function launch(role: string, args: string[], env: Record<string, string>, url: string | null): TesseraProcess {
  const child = spawn(process.execPath, [path.join(ROOT_DIR, 'bin', 'tessera.js'), ...args], {
    cwd: ROOT_DIR,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-200_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  return {
    role,
    child,
    pid: child.pid!,
    url,
    output: () => output,
    exited,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function until(proc: TesseraProcess, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + STARTUP_MS;
  for (;;) {
    if (proc.child.exitCode !== null) throw new Error(`${proc.role} exited with ${proc.child.exitCode}:\n${proc.output()}`);
    if (await ready()) return;
    if (Date.now() > deadline) {
      await proc.stop();
      throw new Error(`${proc.role} did not start in ${STARTUP_MS} ms:\n${proc.output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
