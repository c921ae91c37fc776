/** `mlctl predict [model] --input file|-`: batch inference to stdout or --output. */
import { Command } from 'commander';
import { constants as fsConstants } from 'node:fs';
import { access, realpath, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MlctlError } from '../../errors.js';
import { addBackendOption, addGlobalOptions, addSelectorOptions, addTableOptions, toCommanderOption } from '../options.js';
import { PREDICT_OPTIONS, type PredictDefaults } from '../../options/predict.js';
import { CSV_FORMAT_OPTIONS, HEADER_OPTIONS, type CsvFormatFlags } from '../../options/csv-format.js';
import { runAction } from '../run-action.js';
import { plural } from '../../vocabulary.js';
import type { CommandContext } from '../context.js';
import { openRegistry, readStdin, selectorFrom } from './shared.js';

interface PredictFlags extends CsvFormatFlags {
  version?: number | 'latest';
  alias?: string;
  input: string;
  output?: string;
  format?: PredictDefaults['format'];
}

export function predictCommand(): Command {
  return addTableOptions(addBackendOption(addSelectorOptions(addGlobalOptions(new Command('predict')))), {
    ...CSV_FORMAT_OPTIONS,
    ...HEADER_OPTIONS,
  })
    .description('batch predictions for rows in a CSV or JSON file (or stdin), in input order')
    .argument('[model]', 'model name (default: the configured or only model)')
    .requiredOption('-i, --input <file|->', 'CSV (header row) or JSON rows ([{"col": v}, …] or [[v, …], …]); "-" reads stdin')
    .option('-o, --output <file>', 'write predictions to this file instead of stdout')
    .addOption(toCommanderOption(PREDICT_OPTIONS.format))
    .addHelpText(
      'after',
      `
Classification output: the predicted label and one probability column per class.
Regression output: the predicted value in the target's units.

Examples:
  $ mlctl predict iris --input new-flowers.csv
  $ mlctl predict churn --alias production --input customers.json --output scores.csv
  $ cat rows.csv | mlctl predict iris --input - --format json
  $ mlctl predict imported-net --input numbers.csv --no-header     plain numbers for a model without a signature
  $ mlctl predict iris --input rows.csv --json        one JSON document with every prediction`,
    )
    .action(
      runAction(async (ctx: CommandContext, model: string | undefined, flags: PredictFlags) => {
        const { predict } = await import('../../lifecycle/predict.js');
        const { resolveModelName } = await import('../../lifecycle/resolve-model.js');
        const { formatPredictions } = await import('../render/predictions.js');
        if (flags.output) await checkOutputPath(flags.output, flags.input);
        const registry = await openRegistry(ctx);
        const name = await resolveModelName(registry, model, ctx.defaultModel);
        const input = flags.input === '-' ? { bytes: await readStdin(), name: 'stdin' } : { path: flags.input };
        await ctx.reporter.progress(`Predicting with ${name}…`);
        const result = await predict({
          registry,
          model: name,
          selector: selectorFrom(flags),
          input,
          read: { delimiter: flags.delimiter, decimal: flags.decimal, encoding: flags.encoding, header: flags.header },
          backend: ctx.backend,
        });
        for (const w of result.warnings) ctx.reporter.warn(w);
        const format = flags.format ?? ctx.config.predict?.format ?? (flags.output?.toLowerCase().endsWith('.json') ? 'json' : 'csv');
        if (flags.output) {
          await writeFile(flags.output, formatPredictions(result, format));
          ctx.reporter.result(
            { model: result.model, version: result.version, rows: result.rows, output: flags.output, format },
            (r, s) => `${s.green('✔')} ${plural(r.rows, 'prediction')} from ${r.model} v${r.version} written to ${r.output}`,
          );
        } else {
          ctx.reporter.result(result, (r) => formatPredictions(r, format));
        }
      }),
    );
}

/** Refuse, before predicting, an --output that cannot be written or that is the input itself. */
async function checkOutputPath(output: string, input: string): Promise<void> {
  const out = path.resolve(output);
  const real = async (p: string) => realpath(p).catch(() => p);
  if (input !== '-' && (await real(out)) === (await real(path.resolve(input)))) {
    throw new MlctlError('USAGE', `--output ${output} is the input file; writing there would overwrite the rows being predicted.`, {
      hint: 'Write the predictions to another file.',
    });
  }
  const existing = await stat(out).catch(() => null);
  if (existing?.isDirectory()) {
    throw new MlctlError('USAGE', `--output ${output} is a directory.`, { hint: 'Name a file, e.g. --output predictions.csv.' });
  }
  const dir = path.dirname(out);
  const folder = await stat(dir).catch(() => null);
  if (!folder || !folder.isDirectory()) {
    throw new MlctlError('USAGE', `--output ${output}: the folder ${path.dirname(output)} does not exist.`, {
      hint: `Create it first (mkdir -p ${path.dirname(output)}) or write somewhere else.`,
    });
  }
  try {
    await access(existing ? out : dir, fsConstants.W_OK);
  } catch {
    throw new MlctlError(
      'IO',
      `--output ${output} cannot be written (${existing ? 'the file' : `the folder ${path.dirname(output)}`} is read-only).`,
      {
        hint: 'Check its permissions, or write somewhere else.',
      },
    );
  }
}
