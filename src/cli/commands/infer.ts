/** `mlctl infer <url> [model] --input rows`: ask a deployed Open Inference Protocol endpoint (REST or gRPC) for predictions. */
import { Command } from 'commander';
import { MlctlError } from '../../errors.js';
import { INFER_OPTIONS, type InferOptionValues } from '../../options/infer.js';
import { CSV_FORMAT_OPTIONS, type CsvFormatFlags } from '../../options/csv-format.js';
import { addGlobalOptions, addTableOptions } from '../options.js';
import { runAction } from '../run-action.js';
import { plural } from '../../vocabulary.js';
import type { CommandContext } from '../context.js';
import { readStdin } from './shared.js';

interface InferFlags extends CsvFormatFlags, Partial<InferOptionValues> {
  input: string;
}

export function inferCommand(): Command {
  return addTableOptions(addGlobalOptions(new Command('infer')), { ...INFER_OPTIONS, ...CSV_FORMAT_OPTIONS })
    .description('send rows to a running server (REST or gRPC, Open Inference Protocol v2) and print its predictions')
    .argument('<url>', 'http://host:port (REST /v2) or grpc://host:port (gRPC, mlctl serve --grpc-port)')
    .argument('[model]', 'model name (default: the configured model)')
    .requiredOption('-i, --input <file|->', 'CSV (header row) or JSON rows ([{"col": v}, …] or [[v, …], …]); "-" reads stdin')
    .addHelpText(
      'after',
      `
The rows are shaped by the model's metadata: one FP32 tensor [n, width] (columns in the model's
input order) for a model with one input, else one tensor per input named by its column.
Exit code 0 when the server answered; 1 when it could not be reached or refused the request
(its message is printed); 2 for a bad command line.

Examples:
  $ mlctl infer http://127.0.0.1:8080 iris --input rows.csv
  $ mlctl infer grpc://127.0.0.1:9001 iris --input rows.json --token "$TOKEN" --json
  $ echo '[[5.1, 3.5, 1.4, 0.2]]' | mlctl infer grpc://ml.internal:9001 iris --input -`,
    )
    .action(
      runAction(async (ctx: CommandContext, url: string, model: string | undefined, flags: InferFlags) => {
        const name = model ?? ctx.defaultModel;
        if (!name) {
          throw new MlctlError('USAGE', 'Name the model to ask for: mlctl infer <url> <model>.', {
            hint: 'Or set "model" in the config file (or MLCTL_MODEL).',
          });
        }
        const { inferRemote } = await import('../../lifecycle/infer-remote.js');
        const input = flags.input === '-' ? { bytes: await readStdin('infer'), name: 'stdin' } : { path: flags.input };
        await ctx.reporter.progress(`Asking ${url} for ${name}…`);
        const result = await inferRemote({
          url,
          model: name,
          version: flags.modelVersion ?? null,
          input,
          read: { delimiter: flags.delimiter, decimal: flags.decimal, encoding: flags.encoding },
          token: flags.token ?? null,
          timeoutMs: flags.timeout ?? 10_000,
        });
        ctx.reporter.result(result, (r, s) => {
          const lines = [
            `${s.green('✔')} ${plural(r.rows, 'prediction')} from ${r.model} v${r.version} over ${r.protocol === 'grpc' ? 'gRPC' : 'REST'} (${r.url}) in ${r.ms.toFixed(1)} ms`,
          ];
          r.predictions.forEach((p, i) => {
            const parts = Object.entries(p).map(([k, v]) => `${k} ${Array.isArray(v) ? `[${v.map(short).join(', ')}]` : short(v)}`);
            lines.push(`  ${String(i + 1).padStart(3)}  ${parts.join('  ')}`);
          });
          return lines.join('\n');
        });
      }),
    );
}

function short(v: unknown): string {
  return typeof v === 'number' ? String(Number(v.toPrecision(4))) : String(v);
}
