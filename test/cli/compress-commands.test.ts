/** quantize, prune and export parsed without spawning: argv → the options their actions get. */
import { describe, expect, it } from 'vitest';
import { Command, CommanderError } from 'commander';
import { createProgram } from '../../src/cli/program.js';

interface Parsed {
  command: string;
  args: unknown[];
  opts: Record<string, unknown>;
}

function recordingProgram(): { program: Command; calls: Parsed[] } {
  const program = createProgram();
  const calls: Parsed[] = [];
  const silent = { writeOut: () => undefined, writeErr: () => undefined };
  program.configureOutput(silent);
  for (const cmd of program.commands) {
    cmd.configureOutput(silent);
    if (cmd.commands.length === 0) {
      cmd.action((...args: unknown[]) => {
        const self = args[args.length - 1] as Command;
        calls.push({ command: cmd.name(), args: args.slice(0, -2), opts: self.opts() });
      });
    }
  }
  return { program, calls };
}

async function parse(argv: string[]): Promise<Parsed> {
  const { program, calls } = recordingProgram();
  await program.parseAsync(['node', 'mlctl', ...argv]);
  expect(calls).toHaveLength(1);
  return calls[0];
}

async function parseError(argv: string[]): Promise<CommanderError> {
  const { program } = recordingProgram();
  try {
    await program.parseAsync(['node', 'mlctl', ...argv]);
  } catch (e) {
    expect(e).toBeInstanceOf(CommanderError);
    return e as CommanderError;
  }
  throw new Error(`"${argv.join(' ')}" parsed without error`);
}

describe('mlctl quantize', () => {
  it('parses --dtype, --step, --skip, --data and the selectors', async () => {
    const p = await parse([
      'quantize',
      'iris',
      '--version',
      '2',
      '--dtype',
      'uint16',
      '--step',
      '0.001',
      '--skip',
      'dense_1, dense_3',
      '--data',
      'x.csv',
    ]);
    expect(p.args).toEqual(['iris']);
    expect(p.opts).toMatchObject({ version: 2, dtype: 'uint16', step: 0.001, skip: ['dense_1', 'dense_3'], data: 'x.csv' });
    expect((await parse(['quantize', '--alias', 'production', '--dtype', 'float16'])).opts).toMatchObject({ alias: 'production' });
  });

  it('refuses an unknown or missing dtype and a step ≤ 0', async () => {
    expect((await parseError(['quantize', 'iris', '--dtype', 'int8'])).code).toBe('commander.invalidArgument');
    expect((await parseError(['quantize', 'iris'])).code).toBe('commander.missingMandatoryOptionValue');
    const step = await parseError(['quantize', 'iris', '--dtype', 'uint8', '--step', '0']);
    expect(step.message).toContain('expected a number > 0, got "0"');
  });
});

describe('mlctl prune', () => {
  it('parses the criterion, scope, skip and fine-tuning flags', async () => {
    const p = await parse([
      'prune',
      'iris',
      '--sparsity',
      '0.8',
      '--per-layer',
      '--skip',
      'dense_3',
      '--fine-tune-epochs',
      '20',
      '--schedule',
      'polynomial',
      '--data',
      'train.csv',
    ]);
    expect(p.opts).toMatchObject({
      sparsity: 0.8,
      perLayer: true,
      skip: ['dense_3'],
      fineTuneEpochs: 20,
      schedule: 'polynomial',
      data: 'train.csv',
    });
    expect((await parse(['prune', '--threshold', '0.01'])).opts).toMatchObject({ threshold: 0.01 });
  });

  it('refuses a sparsity outside [0, 1), a negative threshold, a bad schedule or epoch count', async () => {
    for (const value of ['1', '1.5', '-0.1', 'lots']) {
      const err = await parseError(['prune', 'iris', '--sparsity', value]);
      expect(err.message).toContain(`expected a number in [0, 1), got "${value}"`);
    }
    expect((await parseError(['prune', 'iris', '--threshold', '-1'])).message).toContain('expected a number ≥ 0, got "-1"');
    expect((await parseError(['prune', 'iris', '--sparsity', '0.5', '--schedule', 'cubic'])).code).toBe('commander.invalidArgument');
    expect((await parseError(['prune', 'iris', '--sparsity', '0.5', '--fine-tune-epochs', '2.5'])).code).toBe('commander.invalidArgument');
  });
});

describe('mlctl export', () => {
  it('parses --out and --force; --out is required', async () => {
    expect((await parse(['export', 'iris', '--out', 'dist/iris', '--force'])).opts).toMatchObject({ out: 'dist/iris', force: true });
    expect((await parse(['export', '--out', 'd'])).opts.force).toBeUndefined();
    expect((await parseError(['export', 'iris'])).code).toBe('commander.missingMandatoryOptionValue');
  });
});
