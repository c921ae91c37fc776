/** `mlctl report [model]`: a version's self-contained HTML model card. */
import { Command } from 'commander';
import { REPORT_OPTIONS, type ReportFlags } from '../../options/report.js';
import type { VersionSelector } from '../../registry/registry.js';
import { addBackendOption, addGlobalOptions, addSelectorOptions, addTableOptions } from '../options.js';
import { runAction } from '../run-action.js';
import type { CommandContext } from '../context.js';
import { openRegistry, selectorFrom } from './shared.js';

interface ReportCommandFlags extends ReportFlags {
  version?: number | 'latest';
  alias?: string;
}

export function reportCommand(): Command {
  return addTableOptions(addBackendOption(addSelectorOptions(addGlobalOptions(new Command('report')))), REPORT_OPTIONS)
    .description('write a self-contained HTML model card: summary, curves, confusion matrix, weights, lineage')
    .argument('[model]', 'model name (default: the configured or only model)')
    .addHelpText(
      'after',
      `
The file needs nothing else to open (inline SVG and CSS, no script, no network) and prints well.

Examples:
  $ mlctl report iris
  $ mlctl report iris --alias production --out iris.html
  $ mlctl report iris --version 3 --compare 1
  $ mlctl report churn --compare production --json`,
    )
    .action(
      runAction(async (ctx: CommandContext, model: string | undefined, flags: ReportCommandFlags) => {
        const { report } = await import('../../report/report.js');
        const { resolveModelName } = await import('../../lifecycle/resolve-model.js');
        const { renderReport } = await import('../render/report.js');
        const registry = await openRegistry(ctx);
        const name = await resolveModelName(registry, model, ctx.defaultModel);
        const steps = { gather: 'Reading the version and its weights…', charts: 'Drawing the charts…', write: 'Writing the report…' };
        const result = await report({
          registry,
          model: name,
          selector: selectorFrom(flags),
          compare: flags.compare === undefined ? undefined : compareSelector(flags.compare),
          out: flags.out,
          cwd: ctx.cwd,
          backend: ctx.backend,
          onProgress: (step) => void ctx.reporter.progress(steps[step]),
        });
        for (const note of result.notes) ctx.reporter.warn(note);
        ctx.reporter.result(result, renderReport);
      }),
    );
}

/** --compare 3 | latest | production */
export function compareSelector(text: string): VersionSelector {
  if (/^[0-9]+$/.test(text)) return { version: Number(text) };
  if (text === 'latest') return { version: 'latest' };
  return { alias: text };
}
