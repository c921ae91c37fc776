/**
 * `mlctl version …`: list, show, diff, alias, unalias, rm, verify. Each subcommand parses its
 * options, calls one lifecycle function and renders the result.
 */
import { Command } from 'commander';
import { MlctlError } from '../../errors.js';
import { addBackendOption, addGlobalOptions, addSelectorOptions, parseVersionSelector } from '../options.js';
import { runAction } from '../run-action.js';
import { plural } from '../../vocabulary.js';
import type { CommandContext } from '../context.js';
import { openRegistry, selectorFrom } from './shared.js';

export function versionCommand(): Command {
  // the global options here too, so they work between "version" and its subcommand
  const version = addBackendOption(addGlobalOptions(new Command('version')))
    .description('list, inspect, compare, alias, remove and verify model versions')
    .addHelpText(
      'after',
      `
Examples:
  $ mlctl version list                    every model, its versions and lineage
  $ mlctl version show iris 2             everything recorded about iris v2
  $ mlctl version diff iris 1 2           metrics, settings and sizes side by side
  $ mlctl version alias iris production 2
  $ mlctl version rm iris 1
  $ mlctl version verify                  recompute checksums and load every version`,
    );

  version.addCommand(
    addGlobalOptions(new Command('list'))
      .alias('ls')
      .description('list models and their versions (lineage, aliases, key metric, size)')
      .argument('[model]', 'only this model')
      .addHelpText('after', '\nExamples:\n  $ mlctl version list\n  $ mlctl version list iris --json')
      .action(
        runAction(async (ctx: CommandContext, model?: string) => {
          const { listVersions } = await import('../../lifecycle/list-versions.js');
          const { renderVersionList } = await import('../render/version-list.js');
          const result = await listVersions({ registry: await openRegistry(ctx), model });
          ctx.reporter.result(result, renderVersionList);
        }),
      ),
  );

  version.addCommand(
    addSelectorOptions(addGlobalOptions(new Command('show')))
      .description('show everything recorded about one version')
      .argument('[model]', 'model name (default: the configured or only model)')
      .argument('[n]', 'version number or "latest" (same as --version)')
      .addHelpText('after', '\nExamples:\n  $ mlctl version show iris 2\n  $ mlctl version show iris --alias production --json')
      .action(
        runAction(
          async (
            ctx: CommandContext,
            model: string | undefined,
            n: string | undefined,
            opts: { version?: number | 'latest'; alias?: string },
          ) => {
            const { showVersion } = await import('../../lifecycle/show-version.js');
            const { resolveModelName } = await import('../../lifecycle/resolve-model.js');
            const { renderShowVersion } = await import('../render/version-show.js');
            const registry = await openRegistry(ctx);
            // "version show 2": a version number where the model may be left out, unless a model is named "2"
            if (model !== undefined && n === undefined && /^([1-9][0-9]*|latest)$/.test(model)) {
              if (!(await registry.listModels()).includes(model)) [model, n] = [undefined, model];
            }
            const name = await resolveModelName(registry, model, ctx.defaultModel);
            const result = await showVersion({ registry, model: name, selector: selectorFrom(opts, n) });
            ctx.reporter.result(result, renderShowVersion);
          },
        ),
      ),
  );

  version.addCommand(
    addGlobalOptions(new Command('diff'))
      .description('compare two versions: metrics, hyperparameters, sizes')
      .argument('<model>', 'model name')
      .argument('<a>', 'first version (number or "latest")')
      .argument('<b>', 'second version (number or "latest")')
      .addHelpText('after', '\nExamples:\n  $ mlctl version diff iris 1 2\n  $ mlctl version diff iris 1 latest --json')
      .action(
        runAction(async (ctx: CommandContext, model: string, a: string, b: string) => {
          const { diffVersions } = await import('../../lifecycle/diff-versions.js');
          const { renderDiff } = await import('../render/version-diff.js');
          const result = await diffVersions({
            registry: await openRegistry(ctx),
            model,
            a: { version: parseSelectorArg(a) },
            b: { version: parseSelectorArg(b) },
          });
          ctx.reporter.result(result, renderDiff);
        }),
      ),
  );

  version.addCommand(
    addGlobalOptions(new Command('alias'))
      .description('point an alias (e.g. production) at a version')
      .argument('<model>', 'model name')
      .argument('<alias>', 'alias name (lowercase, not all digits, not "latest")')
      .argument('[n]', 'version number or "latest" (omit with --history)')
      .option('--force', 'move the alias even if it already points to another version')
      .option('--expect <n>', 'compare-and-set: move only if the alias points to version <n> now ("none": only if it does not exist yet)')
      .option('--history', 'show every move of the alias (from, to, when, by whom), newest first')
      .addHelpText(
        'after',
        '\nExamples:\n  $ mlctl version alias iris production 2\n  $ mlctl version alias iris production 3 --force\n  $ mlctl version alias iris production 4 --expect 3\n  $ mlctl version alias iris production --history',
      )
      .action(
        runAction(
          async (
            ctx: CommandContext,
            model: string,
            alias: string,
            n: string | undefined,
            opts: { force?: boolean; expect?: string; history?: boolean },
          ) => {
            if (opts.history) {
              if (n !== undefined) throw new MlctlError('USAGE', '--history shows the moves of an alias; give no version with it.');
              const { aliasHistory } = await import('../../lifecycle/manage-aliases.js');
              const history = await aliasHistory({ registry: await openRegistry(ctx), model, alias });
              ctx.reporter.result(history, (r, s) =>
                r.moves.length === 0
                  ? `${r.model}@${r.alias} has never moved`
                  : r.moves
                      .map(
                        (m) =>
                          `${s.dim(m.at)}  ${m.model}@${m.alias}  ${m.from === null ? '(new)' : `v${m.from}`} → ${m.to === null ? '(removed)' : `v${m.to}`}  by ${m.by}`,
                      )
                      .join('\n'),
              );
              return;
            }
            if (n === undefined) {
              throw new MlctlError('USAGE', 'Give the version the alias should point to.', {
                hint: `Run "mlctl version alias ${model} ${alias} <n>", or --history to see its moves.`,
              });
            }
            let expect: number | null | undefined;
            if (opts.expect !== undefined) {
              if (opts.expect === 'none') expect = null;
              else if (/^[1-9][0-9]*$/.test(opts.expect)) expect = Number(opts.expect);
              else throw new MlctlError('USAGE', `--expect must be a version number or "none", got "${opts.expect}".`);
            }
            const { setAlias } = await import('../../lifecycle/manage-aliases.js');
            const result = await setAlias({
              registry: await openRegistry(ctx),
              model,
              alias,
              version: parseSelectorArg(n),
              force: opts.force,
              expect,
            });
            ctx.reporter.result(result, (r, s) =>
              r.previous !== null && r.previous !== r.version
                ? `${s.green('✔')} ${r.model}@${r.alias} moved from v${r.previous} to v${r.version}`
                : `${s.green('✔')} ${r.model}@${r.alias} → v${r.version}`,
            );
          },
        ),
      ),
  );

  version.addCommand(
    addGlobalOptions(new Command('unalias'))
      .description('remove an alias')
      .argument('<model>', 'model name')
      .argument('<alias>', 'alias name')
      .addHelpText('after', '\nExamples:\n  $ mlctl version unalias iris staging')
      .action(
        runAction(async (ctx: CommandContext, model: string, alias: string) => {
          const { removeAlias } = await import('../../lifecycle/manage-aliases.js');
          const result = await removeAlias({ registry: await openRegistry(ctx), model, alias });
          ctx.reporter.result(result, (r, s) => `${s.green('✔')} removed ${r.model}@${r.alias} (was v${r.previous})`);
        }),
      ),
  );

  version.addCommand(
    addGlobalOptions(new Command('rm'))
      .description('remove a version (refuses an aliased version without --force)')
      .argument('<model>', 'model name')
      .argument('<n>', 'version number')
      .option('--force', 'also remove the aliases that point to it')
      .addHelpText('after', '\nExamples:\n  $ mlctl version rm iris 1\n  $ mlctl version rm iris 2 --force')
      .action(
        runAction(async (ctx: CommandContext, model: string, n: string, opts: { force?: boolean }) => {
          const { removeVersion } = await import('../../lifecycle/manage-aliases.js');
          const version = parseSelectorArg(n);
          if (version === 'latest') throw usage('rm needs an explicit version number, not "latest".');
          const result = await removeVersion({ registry: await openRegistry(ctx), model, version, force: opts.force });
          ctx.reporter.result(
            result,
            (r, s) =>
              `${s.green('✔')} removed ${r.model} v${r.version}${r.aliasesRemoved.length ? ` and its aliases ${r.aliasesRemoved.join(', ')}` : ''}`,
          );
        }),
      ),
  );

  version.addCommand(
    addBackendOption(addGlobalOptions(new Command('verify')))
      .description('recompute checksums and load every version; non-zero exit when anything is wrong')
      .argument('[model]', 'only this model')
      .option('--clean', 'remove staging directories left by crashed publishers')
      .option('--no-load', 'skip loading each version with TensorFlow.js (checksums only)')
      .addHelpText('after', '\nExamples:\n  $ mlctl version verify\n  $ mlctl version verify iris --clean --json')
      .action(
        runAction(async (ctx: CommandContext, model: string | undefined, opts: { clean?: boolean; load?: boolean }) => {
          const { verifyRegistry } = await import('../../lifecycle/verify-registry.js');
          const { renderVerify } = await import('../render/version-verify.js');
          const result = await verifyRegistry({
            registry: await openRegistry(ctx),
            model,
            backend: ctx.backend,
            clean: opts.clean === true,
            load: opts.load !== false,
          });
          ctx.reporter.result(result, renderVerify);
          if (!result.ok) {
            throw new MlctlError('INVALID_MODEL', `Verification failed: ${plural(result.problems.length, 'problem')} found.`, {
              hint: 'See the list above; restore the files or remove the broken versions.',
            });
          }
        }),
      ),
  );
  return version;
}

function parseSelectorArg(value: string): number | 'latest' {
  try {
    return parseVersionSelector(value);
  } catch (e) {
    throw usage(`Version ${(e as Error).message}`);
  }
}

function usage(message: string): MlctlError {
  return new MlctlError('USAGE', message);
}
