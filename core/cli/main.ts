import { Command, CommanderError } from 'commander';
import { registerServeCommands } from './serve-commands';
import { registerModuleCommands } from './module-commands';
import { registerUserCommands } from './user-commands';
import { registerBackupCommands } from './backup-commands';
import { registerTestCommand } from './test-command';
import { registerDemoCommands } from './demo-commands';

/**
 * `npx tessera <command>`. Every command reads DATABASE_URL like the server does, and exits non-zero
 * with one clear line on failure.
 */
export function buildProgram(): Command {
  const program = new Command('tessera').description('Tessera back-office ERP').showHelpAfterError().exitOverride();
  registerServeCommands(program);
  registerModuleCommands(program);
  registerUserCommands(program);
  registerBackupCommands(program);
  registerTestCommand(program);
  registerDemoCommands(program);
  return program;
}

export async function run(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    process.stderr.write(`tessera: ${(error as Error).message}\n`);
    return 1;
  }
}

if (require.main === module || process.argv[1]?.endsWith('tessera.js') || process.argv[1]?.endsWith('tessera')) {
  void run(process.argv).then((code) => {
    process.exitCode = code;
  });
}
