/** Helpers every command file uses: the registry from the context, selectors from flags. */
import { MlctlError } from '../../errors.js';
import type { CommandContext } from '../context.js';
import type { Registry, VersionSelector } from '../../registry/registry.js';
import { parseVersionSelector } from '../options.js';

export async function openRegistry(ctx: CommandContext): Promise<Registry> {
  const [{ Registry }, { describeLockHolder }] = await Promise.all([
    import('../../registry/registry.js'),
    import('../../registry/model-lock.js'),
  ]);
  return new Registry(ctx.registryRoot, {
    lock: {
      command: ['mlctl', ...process.argv.slice(2)].join(' ').slice(0, 200),
      onWait: (w) => ctx.reporter.warn(`Model "${w.model}" is locked by ${describeLockHolder(w)}; waiting for it…`),
    },
    lockStaleMs: ctx.lockStaleMs,
  });
}

/** --version / --alias, or a positional version argument (which must not contradict them). */
export function selectorFrom(opts: { version?: number | 'latest'; alias?: string }, positional?: string): VersionSelector {
  if (positional !== undefined) {
    if (opts.version !== undefined || opts.alias !== undefined) {
      throw new MlctlError('USAGE', `Give the version once: either as an argument ("${positional}") or with --version/--alias.`);
    }
    try {
      return { version: parseVersionSelector(positional) };
    } catch (e) {
      throw new MlctlError('USAGE', `Version ${(e as Error).message}`);
    }
  }
  if (opts.alias !== undefined) return { alias: opts.alias };
  return { version: opts.version ?? 'latest' };
}

/** All of stdin for `--input -` (refused when stdin is a terminal). */
export async function readStdin(): Promise<Buffer> {
  if (process.stdin.isTTY) {
    throw new MlctlError('USAGE', '--input - reads rows from stdin, but stdin is a terminal.', {
      hint: 'Pipe data in (cat rows.csv | mlctl predict … --input -) or pass a file.',
    });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
