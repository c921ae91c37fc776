/**
 * Flags, built from the option tables in src/options/. Every leaf command gets the global
 * options, so they work both before and after the subcommand (`mlctl --json version list` and
 * `mlctl version list --json`). Environment variables (MLCTL_*) are wired with commander's
 * Option.env(); the config file and built-in defaults fill whatever neither the flag nor the
 * environment set.
 */
import { Command, Option, InvalidArgumentError } from 'commander';
import { GLOBAL_CONFIG_OPTIONS } from '../options/global.js';
import { OptionValueError, envName, type OptionSpec, type OptionTable } from '../options/spec.js';

export function addGlobalOptions(cmd: Command): Command {
  return cmd
    .addOption(toCommanderOption(GLOBAL_CONFIG_OPTIONS.registry))
    .addOption(new Option('--config <file>', 'config file to use instead of searching for one').env('MLCTL_CONFIG'))
    .option('--json', 'print exactly one JSON document on stdout (no colour, no spinner)')
    .option('--verbose', 'show stack traces and extra detail on errors')
    .option('--no-color', 'disable colour (NO_COLOR is honoured too)');
}

export function addSelectorOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--version <n|latest>', 'model version to use (default: latest)').argParser(parseVersionSelector))
    .addOption(new Option('--alias <name>', 'use the version an alias points to').conflicts('version'));
}

export function addBackendOption(cmd: Command): Command {
  return cmd.addOption(toCommanderOption(GLOBAL_CONFIG_OPTIONS.backend));
}

/** Adds every option of a table (flags, MLCTL_* variables, choices, parsing) to a command. */
export function addTableOptions(cmd: Command, table: OptionTable): Command {
  for (const spec of Object.values(table)) cmd.addOption(toCommanderOption(spec));
  return cmd;
}

export function toCommanderOption<T>(spec: OptionSpec<T>): Option {
  const opt = new Option(spec.flags, spec.description);
  if (spec.env) opt.env(envName(spec.flags));
  if (spec.kind.choices) return opt.choices(spec.kind.choices);
  if (!/[<[]/.test(spec.flags)) return opt; // a switch
  return opt.argParser((raw: string) => {
    try {
      return spec.kind.parse(raw);
    } catch (e) {
      if (e instanceof OptionValueError) throw new InvalidArgumentError(e.message);
      throw e;
    }
  });
}

export function parseVersionSelector(value: string): number | 'latest' {
  if (value === 'latest') return 'latest';
  if (!/^[1-9][0-9]*$/.test(value)) {
    throw new InvalidArgumentError(`expected a version number (1, 2, …) or "latest", got "${value}".`);
  }
  return Number(value);
}
