/** `mlctl evaluate [model]`: metrics on the stored test split or --data; gates exit 3 when they fall short. */
import { Command } from 'commander';
import { MlctlError } from '../../errors.js';
import { GATE_OPTIONS, type Gates } from '../../options/evaluate.js';
import { addBackendOption, addGlobalOptions, addSelectorOptions, addTableOptions } from '../options.js';
import { CSV_FORMAT_OPTIONS, HEADER_OPTIONS, type CsvFormatFlags } from '../../options/csv-format.js';
import { runAction } from '../run-action.js';
import type { CommandContext } from '../context.js';
import { openRegistry, selectorFrom } from './shared.js';
import type { GateSources } from '../../lifecycle/evaluate.js';

interface EvaluateFlags extends Gates, CsvFormatFlags {
  version?: number | 'latest';
  alias?: string;
  data?: string;
}

export function evaluateCommand(): Command {
  return addTableOptions(addBackendOption(addSelectorOptions(addGlobalOptions(new Command('evaluate')))), {
    ...GATE_OPTIONS,
    ...CSV_FORMAT_OPTIONS,
    ...HEADER_OPTIONS,
  })
    .description('score a version on its held-out test split (or --data); gates make CI fail when quality falls short')
    .argument('[model]', 'model name (default: the configured or only model)')
    .option('--data <file.csv>', 'labelled CSV to evaluate on (columns matched by name; extra columns ignored)')
    .addHelpText(
      'after',
      `
Exit codes: 0 all gates passed, 3 a gate fell short, 1 other failures, 2 usage.

Examples:
  $ mlctl evaluate iris
  $ mlctl evaluate iris --alias production --min-accuracy 0.93
  $ mlctl evaluate churn --data data/holdout.csv --min-f1 0.8 --json
  $ mlctl evaluate diabetes --max-rmse 60 --min-r2 0.4`,
    )
    .action(
      runAction(async (ctx: CommandContext, model: string | undefined, flags: EvaluateFlags) => {
        const { evaluate } = await import('../../lifecycle/evaluate.js');
        const { resolveModelName } = await import('../../lifecycle/resolve-model.js');
        const { renderEvaluate } = await import('../render/evaluate.js');
        const registry = await openRegistry(ctx);
        const name = await resolveModelName(registry, model, ctx.defaultModel);
        const { version, alias, data, delimiter, decimal, encoding, header, ...flagGates } = flags;
        const gates: Gates = { ...ctx.config.evaluate };
        const gateSources: GateSources = {};
        for (const key of Object.keys(gates)) gateSources[key as keyof Gates] = 'config';
        for (const [key, value] of Object.entries(flagGates)) {
          if (value === undefined) continue;
          gates[key as keyof Gates] = value;
          gateSources[key as keyof Gates] = ctx.optionSource(key) === 'env' ? 'env' : 'flag';
        }
        await ctx.reporter.progress(`Evaluating ${name}…`);
        const result = await evaluate({
          registry,
          model: name,
          selector: selectorFrom({ version, alias }),
          data,
          read: { delimiter, decimal, encoding, header },
          backend: ctx.backend,
          gates,
          gateSources,
        });
        for (const w of result.warnings) ctx.reporter.warn(w);
        ctx.reporter.result(result, renderEvaluate);
        const failed = result.gates.filter((g) => !g.passed);
        if (failed.length > 0) {
          const what = failed
            .map(
              (g) =>
                `${g.metric} ${g.value.toFixed(4)} ${g.gate.startsWith('--min') ? '<' : '>'} ${g.gate} ${g.threshold} (short by ${g.shortBy.toFixed(4)})`,
            )
            .join('; ');
          throw new MlctlError('GATE_FAILED', `Quality gate failed: ${what}.`, { details: { gates: failed } });
        }
      }),
    );
}
