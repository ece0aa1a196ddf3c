import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { ROOT_DIR } from '../config/load-config';

/**
 * `tessera test [folders or files...]`: runs a module's tests from wherever the module lives, with this
 * install's mocha and TypeScript loader, and `tessera/core` and `tessera/testing` resolving to this install
 * (bin/resolve-faces.js), so the module folder may sit and move anywhere. A folder is a module (its
 * test/**\/*.test.ts) or a folder of modules (each one's); a file is a test file. Default: the current folder.
 */
export function registerTestCommand(program: Command): void {
  program
    .command('test [paths...]')
    .description("run a module's tests (an integrator's module folder, or a folder of modules), from anywhere")
    .option('--grep <pattern>', 'only the tests whose title matches')
    .option('--reporter <name>', 'mocha reporter', 'spec')
    .action(async (paths: string[], options: { grep?: string; reporter: string }) => {
      const files = testFilesOf(paths.length ? paths : ['.']);
      if (!files.length) throw new Error(`no test files (test/**/*.test.ts) in ${(paths.length ? paths : ['.']).join(', ')}`);
      const code = await runMocha(files, options);
      if (code !== 0) process.exitCode = code;
    });
}

/** The test files of each path: a test file itself, a module's test folder, or every module's in a folder. */
export function testFilesOf(paths: string[]): string[] {
  const files: string[] = [];
  for (const entry of paths) {
    const target = path.resolve(entry);
    if (!fs.existsSync(target)) throw new Error(`${entry}: no such file or folder`);
    if (fs.statSync(target).isFile()) {
      files.push(target);
      continue;
    }
    const modules = fs.existsSync(path.join(target, 'manifest.json'))
      ? [target]
      : fs.readdirSync(target, { withFileTypes: true }).filter((d) => d.isDirectory() && fs.existsSync(path.join(target, d.name, 'manifest.json'))).map((d) => path.join(target, d.name));
    for (const dir of modules) files.push(...testsUnder(path.join(dir, 'test')));
  }
  return [...new Set(files)].sort();
}

function testsUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
    .map((e) => path.join(e.parentPath, e.name));
}

function runMocha(files: string[], options: { grep?: string; reporter: string }): Promise<number> {
  const from = (request: string) => require.resolve(request, { paths: [ROOT_DIR] });
  const args = [
    from('mocha/bin/mocha.js'),
    '--no-config',
    '--no-package',
    '--require', path.join(ROOT_DIR, 'bin', 'resolve-faces.js'),
    '--require', from('tsx/cjs'),
    '--require', path.join(ROOT_DIR, 'test', 'setup.ts'),
    '--timeout', '60000',
    '--exit',
    '--reporter', options.reporter,
    ...(options.grep ? ['--grep', options.grep] : []),
    ...files,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit', env: process.env });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}
