/** `mlctl registry migrate|copy`: the registry itself (its database schema, copying versions between registries). */
import { Command } from 'commander';
import { addGlobalOptions } from '../options.js';
import { runAction } from '../run-action.js';
import type { CommandContext } from '../context.js';
import { openRegistry } from './shared.js';

export function registryCommand(): Command {
  // the global options here too, so they work between "registry" and its subcommand
  const registry = addGlobalOptions(new Command('registry'))
    .description('migrate a database registry; copy versions between registries')
    .addHelpText(
      'after',
      `
Examples:
  $ mlctl registry migrate --registry postgres://mlctl@db:5432/models
  $ mlctl registry copy --from ./model-registry --to postgres://mlctl@db:5432/models
  $ mlctl registry copy --from postgres://mlctl@db:5432/models --to ./backup churn@3`,
    );

  registry.addCommand(
    addGlobalOptions(new Command('migrate'))
      .description('create or upgrade the schema of a postgres:// registry (numbered migrations, recorded in the database)')
      .addHelpText(
        'after',
        `
Also run on first use. PGPASSWORD (or ~/.pgpass) supplies the password; it is never printed.

Examples:
  $ mlctl registry migrate --registry postgres://mlctl@db:5432/models
  $ MLCTL_REGISTRY=postgres://mlctl@db:5432/models?sslmode=require mlctl registry migrate --json`,
      )
      .action(
        runAction(async (ctx: CommandContext) => {
          const store = await openRegistry(ctx);
          const result = store.migrate
            ? { registry: store.location, kind: store.kind, ...(await store.migrate()) }
            : { registry: store.location, kind: store.kind, applied: [], current: 0 };
          ctx.reporter.result(result, (r, s) => {
            if (r.kind === 'folder') return `${s.green('✔')} ${r.registry} is a folder registry: it has no schema to migrate`;
            if (r.applied.length === 0) return `${s.green('✔')} ${r.registry} is up to date (migration ${r.current})`;
            return [
              `${s.green('✔')} migrated ${r.registry} to migration ${r.current}`,
              ...r.applied.map((m) => `  ${m.id}  ${m.name}`),
            ].join('\n');
          });
        }),
      ),
  );

  registry.addCommand(
    addGlobalOptions(new Command('copy'))
      .description('copy versions between two registries (folder ↔ database), keeping records, lineage, numbers and checksums')
      .argument('[what]', 'model or model@version (default: every model)')
      .option('--from <location>', 'the registry to copy from (default: --registry)')
      .requiredOption('--to <location>', 'the registry to copy into (a folder or postgres://…)')
      .addHelpText(
        'after',
        `
A version already in --to under the same number is skipped if it is the same version and
refused (exit 1) if it is a different one. Aliases are not copied.

Examples:
  $ mlctl registry copy --from ./model-registry --to postgres://mlctl@db:5432/models
  $ mlctl registry copy --from postgres://mlctl@db:5432/models --to ./backup churn
  $ mlctl registry copy --to ./backup churn@3 --registry postgres://mlctl@db:5432/models`,
      )
      .action(
        runAction(async (ctx: CommandContext, what: string | undefined, opts: { from?: string; to: string }) => {
          const { copyRegistry } = await import('../../lifecycle/copy-registry.js');
          const from = await openRegistry(ctx, opts.from ?? ctx.registryLocation);
          const to = await openRegistry(ctx, opts.to);
          const result = await copyRegistry({
            from,
            to,
            what,
            onProgress: (model, version, copied) => ctx.reporter.info(`${copied ? 'copied' : 'already there'}: ${model} v${version}`),
          });
          ctx.reporter.result(
            result,
            (r, s) =>
              `${s.green('✔')} copied ${r.copied} version(s) from ${r.from} to ${r.to}${r.skipped ? ` (${r.skipped} already there)` : ''}`,
          );
        }),
      ),
  );
  return registry;
}
