/**
 * The Reporter: the only place that writes to the terminal. stdout carries the result only —
 * human rendering, or under --json exactly one JSON document (errors included). stderr carries
 * progress (ora spinner, TTY only), warnings and human-mode errors.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import type { Ora } from 'ora';
import { MlctlError } from '../errors.js';

export interface ReporterOptions {
  json: boolean;
  verbose: boolean;
  /** false when --no-color, NO_COLOR, --json or stdout is not a TTY */
  color: boolean;
  stdout?: NodeJS.WriteStream | NodeJS.WritableStream;
  stderr?: NodeJS.WriteStream | NodeJS.WritableStream;
}

export type Style = ChalkInstance;

export class Reporter {
  readonly json: boolean;
  readonly verbose: boolean;
  readonly style: Style;
  /** style for stderr, which may be a TTY while stdout is piped */
  readonly errStyle: Style;
  private readonly stdout: NodeJS.WritableStream;
  private readonly stderr: NodeJS.WritableStream;
  private spinner: Ora | null = null;
  /**
   * Whether progress may redraw a line in place: stderr is a real terminal with a known width
   * (a pseudo-terminal reporting 0 columns makes a spinner's line accounting run away), not CI.
   */
  readonly live: boolean;
  /** stdout is a terminal (and not --json): results may carry small charts */
  readonly terminal: boolean;
  private spinnerText = '';
  private wrote = false;
  /** lines of the block `board` drew last (redrawn in place) */
  private boardLines = 0;

  constructor(options: ReporterOptions) {
    this.json = options.json;
    this.verbose = options.verbose;
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
    this.style = new Chalk({ level: options.color ? 1 : 0 });
    const errTty = (this.stderr as NodeJS.WriteStream).isTTY === true;
    this.errStyle = new Chalk({ level: options.color && errTty ? 1 : 0 });
    const columns = (this.stderr as NodeJS.WriteStream).columns ?? 0;
    this.live = !this.json && errTty && columns > 0 && !process.env.CI;
    this.terminal = !this.json && (this.stdout as NodeJS.WriteStream).isTTY === true && process.env.TERM !== 'dumb';
  }

  /** Print the command's result: one JSON document, or the human rendering. Call once. */
  result<T>(data: T, renderHuman: (data: T, style: Style) => string): void {
    this.stopSpinner();
    this.clearBoard();
    if (this.wrote) throw new Error('Reporter.result called twice');
    this.wrote = true;
    if (this.json) {
      this.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    } else {
      const text = renderHuman(data, this.style);
      if (text) this.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    }
  }

  /** A warning for the user (stderr, both modes; never part of stdout). */
  warn(message: string): void {
    this.withSpinnerPaused(() => {
      this.stderr.write(`${this.errStyle.yellow('warning:')} ${message}\n`);
    });
  }

  /** An informational line on stderr, human mode only. */
  info(message: string): void {
    if (this.json) return;
    this.withSpinnerPaused(() => this.stderr.write(`${message}\n`));
  }

  /** Start or update the progress line (stderr; a spinner on a TTY, silent elsewhere). */
  async progress(text: string): Promise<void> {
    if (this.json) return;
    if (!this.live) return;
    this.spinnerText = text;
    if (!this.spinner) {
      const { default: ora } = await import('ora');
      this.spinner = ora({ text, stream: this.stderr as NodeJS.WriteStream, color: 'cyan' }).start();
    } else {
      this.spinner.text = text;
    }
  }

  /** A progress line that is always shown in human mode (on a TTY it updates in place). */
  async step(text: string): Promise<void> {
    if (this.json) return;
    if (this.live) await this.progress(text);
    else this.stderr.write(`${text}\n`);
  }

  /**
   * Draw a block of lines on stderr in place of the one drawn before (a live leaderboard); each
   * line is cut to the terminal's width so the redraw stays aligned. Only on a live terminal.
   */
  board(text: string): void {
    if (!this.live) return;
    this.stopSpinner();
    const columns = Math.max(20, ((this.stderr as NodeJS.WriteStream).columns ?? 80) - 1);
    const lines = text.split('\n').map((line) => fitWidth(line, columns));
    this.stderr.write(`${this.boardLines > 0 ? `\x1b[${this.boardLines}A` : ''}\r\x1b[0J${lines.join('\n')}\n`);
    this.boardLines = lines.length;
  }

  /** Remove the block `board` drew. */
  clearBoard(): void {
    if (this.boardLines === 0) return;
    this.stderr.write(`\x1b[${this.boardLines}A\r\x1b[0J`);
    this.boardLines = 0;
  }

  stopSpinner(): void {
    if (this.spinner) {
      this.spinner.stop();
      this.spinner = null;
    }
  }

  /** Report a failure: one line on stderr (stack only with --verbose), or a JSON error document. */
  error(error: MlctlError): void {
    this.stopSpinner();
    this.clearBoard();
    if (this.json) {
      if (!this.wrote) {
        this.wrote = true;
        this.stdout.write(`${JSON.stringify({ error: error.toJSON() }, null, 2)}\n`);
      }
      if (this.verbose) this.stderr.write(`${stackOf(error)}\n`);
      return;
    }
    const hint = error.hint ? ` ${this.errStyle.dim(error.hint)}` : '';
    this.stderr.write(`${this.errStyle.red('error:')} ${error.message}${hint}\n`);
    if (this.verbose) this.stderr.write(`${stackOf(error)}\n`);
  }

  private withSpinnerPaused(fn: () => void): void {
    if (this.spinner) {
      this.spinner.clear();
      fn();
      this.spinner.render();
    } else {
      fn();
    }
  }
}

// eslint-disable-next-line no-control-regex -- colour escapes are what it matches
const ANSI = /\x1b\[[0-9;]*m/g;

/** A line cut to `columns` visible characters (colour codes dropped when it has to be cut). */
function fitWidth(line: string, columns: number): string {
  const plain = line.replace(ANSI, '');
  return plain.length <= columns ? line : `${plain.slice(0, columns - 1)}…`;
}

function stackOf(error: Error): string {
  const lines = [error.stack ?? String(error)];
  let cause = (error as Error & { cause?: unknown }).cause;
  while (cause) {
    lines.push(`Caused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`);
    cause = cause instanceof Error ? (cause as Error & { cause?: unknown }).cause : undefined;
  }
  return lines.join('\n');
}

/** Decide whether to colour: never under --json/--no-color/NO_COLOR or off a TTY; FORCE_COLOR wins. */
export function shouldUseColor(opts: { json: boolean; color: boolean }, stream: NodeJS.WriteStream = process.stdout): boolean {
  if (opts.json || !opts.color) return false;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && process.env.TERM !== 'dumb';
}
