/**
 * Shared flags, declared once. Every leaf command gets the global options, so they work both
 * before and after the subcommand (`mlctl --json version list` and `mlctl version list --json`).
 * Environment variables (MLCTL_*) are wired with commander's Option.env(); the config file and
 * built-in defaults fill whatever neither the flag nor the environment set.
 */
import { Command, Option, InvalidArgumentError } from 'commander';
import { BACKEND_CHOICES } from '../engine/backend-choices.js';

export function addGlobalOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--registry <dir>', 'model registry directory (default ./model-registry)').env('MLCTL_REGISTRY'))
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
  return cmd.addOption(
    new Option('--backend <name>', 'TensorFlow.js backend: auto picks node (tfjs-node) > wasm > cpu')
      .choices(BACKEND_CHOICES)
      .env('MLCTL_BACKEND'),
  );
}

/** An option that MLCTL_<FLAG> can also set, e.g. --batch-size ↔ MLCTL_BATCH_SIZE. */
export function envOption(flags: string, description: string, parse?: (value: string) => unknown): Option {
  const long = /--([a-z0-9-]+)/.exec(flags)![1];
  const opt = new Option(flags, description).env(`MLCTL_${long.toUpperCase().replace(/-/g, '_')}`);
  return parse ? opt.argParser(parse as (value: string, previous: unknown) => unknown) : opt;
}

export function parseVersionSelector(value: string): number | 'latest' {
  if (value === 'latest') return 'latest';
  if (!/^[1-9][0-9]*$/.test(value)) {
    throw new InvalidArgumentError(`expected a version number (1, 2, …) or "latest", got "${value}".`);
  }
  return Number(value);
}

export function parsePositiveInt(value: string): number {
  if (!/^[1-9][0-9]*$/.test(value)) throw new InvalidArgumentError(`expected a positive integer, got "${value}".`);
  return Number(value);
}

export function parseNonNegativeInt(value: string): number {
  if (!/^(0|[1-9][0-9]*)$/.test(value)) throw new InvalidArgumentError(`expected an integer ≥ 0, got "${value}".`);
  return Number(value);
}

export function parseNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got "${value}".`);
  return n;
}

export function parseFraction(value: string): number {
  const n = parseNumber(value);
  if (n < 0 || n >= 1) throw new InvalidArgumentError(`expected a number in [0, 1), got "${value}".`);
  return n;
}

export function parseList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** --delimiter / --decimal / --encoding: how to read a CSV (train, evaluate --data, predict). */
export function addCsvFormatOptions(cmd: Command): Command {
  return cmd
    .option('--delimiter <char>', 'CSV field separator: , ; | or tab (default: detected from the header and first rows)')
    .addOption(
      new Option('--decimal <sep>', 'decimal separator in numbers (default: "." , and per column "," in ;-separated files)').choices([
        '.',
        ',',
      ]),
    )
    .option('--encoding <name>', 'file encoding: utf8 (default; a UTF-16 BOM is honoured), latin1 (Windows-1252), utf16le, utf16be');
}
