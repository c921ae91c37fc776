/** `mlctl explain [model]`: permutation importance of raw columns, or integrated-gradients attributions of rows (--row / --input). */
import { Command } from 'commander';
import { addBackendOption, addGlobalOptions, addSelectorOptions, addTableOptions } from '../options.js';
import { CSV_FORMAT_OPTIONS, HEADER_OPTIONS, type CsvFormatFlags } from '../../options/csv-format.js';
import { EXPLAIN_OPTIONS, type ExplainFlags } from '../../options/explain.js';
import { runAction } from '../run-action.js';
import type { CommandContext } from '../context.js';
import { openRegistry, readStdin, selectorFrom } from './shared.js';

interface ExplainCommandFlags extends ExplainFlags, CsvFormatFlags {
  version?: number | 'latest';
  alias?: string;
  data?: string;
}

export function explainCommand(): Command {
  return addTableOptions(addBackendOption(addSelectorOptions(addGlobalOptions(new Command('explain')))), {
    ...EXPLAIN_OPTIONS,
    ...CSV_FORMAT_OPTIONS,
    ...HEADER_OPTIONS,
  })
    .description('what a version looks at (permutation importance of each raw column) or why it answered rows as it did (--row, --input)')
    .argument('[model]', 'model name (default: the configured or only model)')
    .option('--data <file.csv>', 'labelled CSV to measure importance on, or to pick --row rows from (default: the stored test split)')
    .addHelpText(
      'after',
      `
Importance: for each raw column, how much the metric drops when its values are shuffled across
rows (mean ± std over --repeats, seeded); stored in the version's explanation.json for the report.
Attributions: each raw column's share of the predicted class's probability (or the predicted
value) against the training-mean row, by integrated gradients; the attributions of a row sum
to prediction − baseline prediction within 1%, and the check is printed.

Examples:
  $ mlctl explain churn
  $ mlctl explain churn --alias production --metric macroF1 --repeats 20 --json
  $ mlctl explain churn --row 3,17
  $ mlctl explain churn --input customers.json`,
    )
    .action(
      runAction(async (ctx: CommandContext, model: string | undefined, flags: ExplainCommandFlags) => {
        const { explain } = await import('../../lifecycle/explain.js');
        const { resolveModelName } = await import('../../lifecycle/resolve-model.js');
        const { renderExplain } = await import('../render/explain.js');
        const registry = await openRegistry(ctx);
        const name = await resolveModelName(registry, model, ctx.defaultModel);
        const defaults = ctx.config.explain ?? {};
        const input =
          flags.input === undefined
            ? undefined
            : flags.input === '-'
              ? { bytes: await readStdin('explain'), name: 'stdin' }
              : { path: flags.input };
        await ctx.reporter.progress(`Explaining ${name}…`);
        const result = await explain({
          registry,
          model: name,
          selector: selectorFrom(flags),
          backend: ctx.backend,
          data: flags.data,
          read: { delimiter: flags.delimiter, decimal: flags.decimal, encoding: flags.encoding, header: flags.header },
          repeats: flags.repeats ?? defaults.repeats,
          metric: flags.metric ?? defaults.metric,
          seed: flags.seed ?? defaults.seed,
          save: flags.save,
          rows: flags.row,
          input,
          onProgress: (e) => {
            if (e.phase === 'importance') void ctx.reporter.progress(`Shuffling columns of ${name}: ${e.done}/${e.total} (${e.feature})`);
            else void ctx.reporter.progress(`Integrating gradients for ${e.rows} row${e.rows === 1 ? '' : 's'}…`);
          },
        });
        for (const w of result.warnings) ctx.reporter.warn(w);
        ctx.reporter.result(result, renderExplain);
      }),
    );
}
