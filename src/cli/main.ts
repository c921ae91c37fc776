/**
 * The entry point: parse argv, run the command, set the exit code. The one place that touches
 * process.exitCode. Exit codes: 0 success, 1 failure, 2 usage, 3 quality gate fell short.
 */
import { CommanderError } from 'commander';
import { EXIT, MlctlError } from '../errors.js';
import { createProgram, GROUP_COMMANDS } from './program.js';
import { createReporter } from './context.js';
import { exitState } from './run-action.js';

/**
 * A reader that went away (`mlctl predict … | head -1`) is not an error: stop quietly with
 * status 0, as other Unix tools do, instead of an unhandled EPIPE.
 */
function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT.OK);
    throw e;
  });
}

/** The words of argv that are not options (a rough command path, for messages). */
function commandPath(args: string[]): string[] {
  return args.filter((a) => !a.startsWith('-'));
}

/** `mlctl help version list` → `mlctl version list --help` (commander's help command takes one name). */
export function rewriteHelp(args: string[]): string[] {
  const i = args.findIndex((a) => !a.startsWith('-'));
  if (i === -1 || args[i] !== 'help') return args;
  const rest = args.slice(i + 1);
  if (rest.length < 2) return args;
  return [...args.slice(0, i), ...rest, '--help'];
}

/** The usage error for a command group run without its subcommand (`mlctl`, `mlctl version`). */
function missingCommand(args: string[]): MlctlError {
  const group = commandPath(args).find((w) => GROUP_COMMANDS[w]);
  if (group) {
    return new MlctlError('USAGE', `"mlctl ${group}" needs a subcommand: ${GROUP_COMMANDS[group].join(', ')}.`, {
      hint: `Run "mlctl ${group} --help" for what each does.`,
    });
  }
  return new MlctlError('USAGE', 'No command given.', { hint: 'Run "mlctl --help" for the list of commands.' });
}

async function main(argv: string[]): Promise<number> {
  endQuietlyOnClosedPipe(process.stdout);
  endQuietlyOnClosedPipe(process.stderr);
  const args = rewriteHelp(argv.slice(2));
  const program = createProgram();
  try {
    await program.parseAsync(args, { from: 'user' });
    return exitState.code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and -V print and "fail" with exit code 0; everything else is a usage error
      if (e.exitCode === 0) return EXIT.OK;
      if (args.includes('--json')) {
        const reporter = createReporter({ json: true });
        reporter.error(e.code === 'commander.help' ? missingCommand(args) : new MlctlError('USAGE', e.message.replace(/^error: /, '')));
      }
      return EXIT.USAGE;
    }
    throw e;
  }
}

process.exitCode = await main(process.argv);
