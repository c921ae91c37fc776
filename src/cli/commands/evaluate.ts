/** `mlctl evaluate [model]`: metrics on the stored test split or --data; gates exit 3 when they fall short. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { MlctlError } from '../../errors.js';
import { addBackendOption, addCsvFormatOptions, addGlobalOptions, addSelectorOptions, envOption, parseNumber } from '../options.js';
import { runAction } from '../run-action.js';
import type { CommandContext } from '../context.js';
import { openRegistry, selectorFrom } from './shared.js';

interface EvaluateFlags {
  version?: number | 'latest';
  alias?: string;
  data?: string;
  minAccuracy?: number;
  minF1?: number;
  maxRmse?: number;
  maxMae?: number;
  minR2?: number;
  delimiter?: string;
  decimal?: '.' | ',';
  encoding?: string;
  header?: boolean;
}

function unit(value: string): number {
  const n = parseNumber(value);
  if (n < 0 || n > 1) throw new InvalidArgumentError(`expected a number in [0, 1], got "${value}".`);
  return n;
}

function nonNegative(value: string): number {
  const n = parseNumber(value);
  if (n < 0) throw new InvalidArgumentError(`expected a number ≥ 0, got "${value}".`);
  return n;
}

export function evaluateCommand(): Command {
  return addCsvFormatOptions(addBackendOption(addSelectorOptions(addGlobalOptions(new Command('evaluate')))))
    .description('score a version on its held-out test split (or --data); gates make CI fail when quality falls short')
    .argument('[model]', 'model name (default: the configured or only model)')
    .option('--data <file.csv>', 'labelled CSV to evaluate on (columns matched by name; extra columns ignored)')
    .option('--no-header', '--data has no header row: features in training order, then the target (plain numbers for an imported model)')
    .addOption(envOption('--min-accuracy <x>', 'fail (exit 3) when accuracy < x', unit))
    .addOption(envOption('--min-f1 <x>', 'fail (exit 3) when macro F1 < x', unit))
    .addOption(envOption('--max-rmse <x>', 'fail (exit 3) when RMSE > x (target units)', nonNegative))
    .addOption(envOption('--max-mae <x>', 'fail (exit 3) when MAE > x (target units)', nonNegative))
    .addOption(envOption('--min-r2 <x>', 'fail (exit 3) when R² < x', parseNumber))
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
        const fromConfig = ctx.config.evaluate ?? {};
        const pick = (key: keyof typeof fromConfig) => flags[key] ?? fromConfig[key];
        await ctx.reporter.progress(`Evaluating ${name}…`);
        const result = await evaluate({
          registry,
          model: name,
          selector: selectorFrom(flags),
          data: flags.data,
          read: { delimiter: flags.delimiter, decimal: flags.decimal, encoding: flags.encoding, header: flags.header },
          backend: ctx.backend,
          gates: {
            minAccuracy: pick('minAccuracy'),
            minF1: pick('minF1'),
            maxRmse: pick('maxRmse'),
            maxMae: pick('maxMae'),
            minR2: pick('minR2'),
          },
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
