/** Helpers every command file uses: the registry from the context, selectors from flags. */
import { MlctlError } from '../../errors.js';
import type { CommandContext } from '../context.js';
import type { RegistryStore, VersionSelector } from '../../registry/store.js';
import { parseVersionSelector } from '../options.js';

/** Testing hook: the PostgreSQL store waits this long (ms) inside a publishing transaction. */
export const PG_HOLD_PUBLISH_ENV = 'MLCTL_PG_HOLD_PUBLISH_MS';

/**
 * The registry store the location names (a folder, or postgres://…; USAGE for an unknown scheme).
 * Commands close it when they finish (main.ts), so a database connection never keeps the process alive.
 */
export async function openRegistry(ctx: CommandContext, location: string = ctx.registryLocation): Promise<RegistryStore> {
  const [{ openRegistryStore }, { describeLockHolder }] = await Promise.all([
    import('../../registry/open-registry.js'),
    import('../../registry/model-lock.js'),
  ]);
  const hold = Number(process.env[PG_HOLD_PUBLISH_ENV] ?? '');
  const store = await openRegistryStore(location, {
    cwd: ctx.cwd,
    lock: {
      command: ['mlctl', ...process.argv.slice(2)].join(' ').slice(0, 200),
      onWait: (w) => ctx.reporter.warn(`Model "${w.model}" is locked by ${describeLockHolder(w)}; waiting for it…`),
    },
    lockStaleMs: ctx.lockStaleMs,
    postgres: {
      secrets: process.env.PGPASSWORD ? [process.env.PGPASSWORD] : [],
      ...(hold > 0
        ? { holdPublishMs: hold, onPublishHold: () => process.stderr.write('mlctl: holding the publishing transaction open\n') }
        : {}),
    },
  });
  openStores.add(store);
  return store;
}

const openStores = new Set<RegistryStore>();

/** Closes every store opened by this process (database pools); main.ts calls it when a command ends. */
export async function closeRegistries(): Promise<void> {
  const stores = [...openStores];
  openStores.clear();
  await Promise.all(stores.map((s) => s.close().catch(() => undefined)));
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

/** All of stdin (--input -); USAGE when stdin is a terminal. */
export async function readStdin(command = 'predict'): Promise<Buffer> {
  if (process.stdin.isTTY) {
    throw new MlctlError('USAGE', '--input - reads rows from stdin, but stdin is a terminal.', {
      hint: `Pipe data in (cat rows.csv | mlctl ${command} … --input -) or pass a file.`,
    });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
