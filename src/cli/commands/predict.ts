/** `mlctl predict [model] --input file|-`: batch inference to stdout or --output. */
import { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { MlctlError } from '../../errors.js';
import { addBackendOption, addGlobalOptions, addSelectorOptions, toCommanderOption } from '../options.js';
import { PREDICT_OPTIONS, type PredictDefaults } from '../../options/predict.js';
import { runAction } from '../run-action.js';
import type { CommandContext } from '../context.js';
import { openRegistry, selectorFrom } from './shared.js';

interface PredictFlags {
  version?: number | 'latest';
  alias?: string;
  input: string;
  output?: string;
  format?: PredictDefaults['format'];
}

export function predictCommand(): Command {
  return addBackendOption(addSelectorOptions(addGlobalOptions(new Command('predict'))))
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
  $ mlctl predict iris --input rows.csv --json        one JSON document with every prediction`,
    )
    .action(
      runAction(async (ctx: CommandContext, model: string | undefined, flags: PredictFlags) => {
        const { predict } = await import('../../lifecycle/predict.js');
        const { resolveModelName } = await import('../../lifecycle/resolve-model.js');
        const { formatPredictions } = await import('../render/predictions.js');
        const registry = await openRegistry(ctx);
        const name = await resolveModelName(registry, model, ctx.defaultModel);
        const input = flags.input === '-' ? { text: await readStdin(), name: 'stdin' } : { path: flags.input };
        await ctx.reporter.progress(`Predicting with ${name}…`);
        const result = await predict({ registry, model: name, selector: selectorFrom(flags), input, backend: ctx.backend });
        const format = flags.format ?? ctx.config.predict?.format ?? (flags.output?.toLowerCase().endsWith('.json') ? 'json' : 'csv');
        if (flags.output) {
          await writeFile(flags.output, formatPredictions(result, format));
          ctx.reporter.result(
            { model: result.model, version: result.version, rows: result.rows, output: flags.output, format },
            (r, s) => `${s.green('✔')} ${r.rows} prediction${r.rows === 1 ? '' : 's'} from ${r.model} v${r.version} written to ${r.output}`,
          );
        } else {
          ctx.reporter.result(result, (r) => formatPredictions(r, format));
        }
      }),
    );
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    throw new MlctlError('USAGE', '--input - reads rows from stdin, but stdin is a terminal.', {
      hint: 'Pipe data in (cat rows.csv | mlctl predict … --input -) or pass a file.',
    });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
