/**
 * createProgram(): the command tree. Exported so tests can parse argv without spawning.
 * Command bodies are imported lazily, so `--help`, `-V` and `version` never load TensorFlow.js.
 */
import { Command } from 'commander';
import { mlctlVersion } from '../version.js';
import { addBackendOption, addGlobalOptions } from './options.js';
import { versionCommand } from './commands/version.js';
import { importCommand } from './commands/import.js';
import { trainCommand } from './commands/train.js';
import { tuneCommand } from './commands/tune.js';
import { evaluateCommand } from './commands/evaluate.js';
import { explainCommand } from './commands/explain.js';
import { predictCommand } from './commands/predict.js';
import { quantizeCommand } from './commands/quantize.js';
import { pruneCommand } from './commands/prune.js';
import { exportCommand } from './commands/export.js';
import { serveCommand } from './commands/serve.js';
import { inferCommand } from './commands/infer.js';
import { reportCommand } from './commands/report.js';
import { initCommand } from './commands/init.js';
import { registryCommand } from './commands/registry.js';

/** Commands that only group subcommands, and those subcommands (for "needs a subcommand" errors). */
export const GROUP_COMMANDS: Readonly<Record<string, readonly string[]>> = {
  version: ['list', 'show', 'diff', 'alias', 'unalias', 'rm', 'verify'],
  registry: ['migrate', 'copy'],
};

export function createProgram(): Command {
  const program = new Command('mlctl')
    .description('Train, version, compress, gate and serve TensorFlow.js models on tabular data.')
    .version(mlctlVersion(), '-V, --version', "print mlctl's own version")
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Exit codes: 0 success, 1 failure, 2 usage or config error, 3 a quality gate fell short.
After a subcommand, --version selects a model version; "mlctl -V" prints mlctl's version.
MLCTL_LOCK_STALE_MS (default 10000, at least 2000): how long the lock of a model whose writer
was killed blocks the next writer.
--registry (MLCTL_REGISTRY, config "registry"): a folder, or postgres://user@host:5432/db
(password from PGPASSWORD or ~/.pgpass; never printed).

Examples:
  $ mlctl init --gitignore --ci github
  $ mlctl train iris
  $ mlctl train data/churn.csv --target churned --name churn
  $ mlctl tune data/churn.csv --target churned --time-budget 10m
  $ mlctl evaluate churn --min-accuracy 0.9
  $ mlctl predict churn --input customers.csv
  $ mlctl explain churn --row 3
  $ mlctl prune churn --sparsity 0.8
  $ mlctl quantize churn --dtype uint8
  $ mlctl export churn --out ./public/models/churn
  $ mlctl serve churn --alias production
  $ mlctl report churn --out churn.html
  $ mlctl version list
  $ mlctl version alias churn production 1`,
    );
  // global options before the subcommand too (mlctl --registry r --backend cpu predict …)
  addBackendOption(addGlobalOptions(program));
  program.addCommand(initCommand());
  program.addCommand(trainCommand());
  program.addCommand(tuneCommand());
  program.addCommand(evaluateCommand());
  program.addCommand(predictCommand());
  program.addCommand(explainCommand());
  program.addCommand(quantizeCommand());
  program.addCommand(pruneCommand());
  program.addCommand(serveCommand());
  program.addCommand(inferCommand());
  program.addCommand(reportCommand());
  program.addCommand(importCommand());
  program.addCommand(exportCommand());
  program.addCommand(versionCommand());
  program.addCommand(registryCommand());
  applyRecursively(program, (cmd) => {
    cmd.exitOverride();
    cmd.configureHelp({ showGlobalOptions: false });
  });
  return program;
}

function applyRecursively(cmd: Command, fn: (c: Command) => void): void {
  fn(cmd);
  for (const sub of cmd.commands) applyRecursively(sub, fn);
}
