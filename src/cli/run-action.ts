/**
 * Wraps a command body: builds the context, runs it, and routes any failure to the Reporter.
 * The exit code is set in exactly one place (cli/main.ts) from what this records.
 */
import type { Command } from 'commander';
import { toMlctlError } from '../errors.js';
import { createContext, createReporter, globalFlags, type CommandContext } from './context.js';
import { closeRegistries } from './commands/shared.js';

export type ActionBody<A extends unknown[]> = (ctx: CommandContext, ...args: A) => Promise<void>;

export const exitState = { code: 0 };

export function runAction<A extends unknown[]>(body: ActionBody<A>): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const reporter = createReporter(globalFlags(cmd));
    try {
      const ctx = await createContext(cmd, reporter);
      await body(ctx, ...(args.slice(0, -1) as A));
    } catch (e) {
      const err = toMlctlError(e);
      reporter.error(err);
      exitState.code = err.exitCode;
    } finally {
      await closeRegistries();
    }
  };
}
