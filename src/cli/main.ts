/**
 * The entry point: parse argv, run the command, set the exit code. The one place that touches
 * process.exitCode. Exit codes: 0 success, 1 failure, 2 usage, 3 quality gate fell short.
 */
import { CommanderError } from 'commander';
import { EXIT, MlctlError } from '../errors.js';
import { createProgram } from './program.js';
import { createReporter } from './context.js';
import { exitState } from './run-action.js';

async function main(argv: string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync(argv);
    return exitState.code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and -V print and "fail" with exit code 0; everything else is a usage error
      if (e.exitCode === 0) return EXIT.OK;
      if (argv.includes('--json')) {
        const reporter = createReporter({ json: true });
        reporter.error(new MlctlError('USAGE', e.message.replace(/^error: /, '')));
      }
      return EXIT.USAGE;
    }
    throw e;
  }
}

process.exitCode = await main(process.argv);
