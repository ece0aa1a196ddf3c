import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT_DIR } from '../../../core/config/load-config';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout split in lines, without the trailing empty one. */
  lines: string[];
}

/**
 * Runs `node bin/tessera.js <args>` as a user would run `npx tessera`, in a process of its own (in `cwd`), with the
 * test's environment (cheap scrypt, silent logs, the database and Redis of the run, the TypeScript
 * sources) plus `env`.
 */
export function tessera(args: string[], env: Record<string, string | undefined> = {}, cwd = ROOT_DIR): Promise<CliResult> {
  return start(process.execPath, [path.join(ROOT_DIR, 'bin', 'tessera.js'), ...args], env, 120_000, cwd).done;
}

/** Runs any command from the repository root with the test's environment plus `env`. */
export function run(command: string, args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 120_000): Promise<CliResult> {
  return start(command, args, env, timeoutMs).done;
}

/** Starts `node bin/tessera.js <args>` and gives the process, to kill it half-way. */
export function startTessera(args: string[], env: Record<string, string | undefined> = {}): { child: ChildProcess; done: Promise<CliResult> } {
  return start(process.execPath, [path.join(ROOT_DIR, 'bin', 'tessera.js'), ...args], env, 120_000);
}

function start(command: string, args: string[], env: Record<string, string | undefined>, timeoutMs: number, cwd = ROOT_DIR): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(command, args, {
    cwd,
    // The sources, not dist/: a test run checks the code being changed, whatever was built last.
    env: { ...process.env, TESSERA_SCRYPT_N: '1024', LOG_LEVEL: 'silent', TESSERA_RUN_SOURCES: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${path.basename(args[0] ?? command)} ${args.slice(1).join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, lines: stdout.split('\n').filter((line, i, all) => i < all.length - 1 || line !== '') });
    });
  });
  return { child, done };
}

/** For assertion messages: what the command printed. */
export function shown(result: CliResult): string {
  return `exit ${result.code}\n--- stdout\n${result.stdout}--- stderr\n${result.stderr}`;
}
