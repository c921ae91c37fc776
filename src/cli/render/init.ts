/** Human summary of `mlctl init`: what was written and what to run next. */
import type { InitResult } from '../../lifecycle/init-project.js';
import type { Style } from '../output.js';

const VERB = { create: 'created', overwrite: 'overwrote', append: 'added to', unchanged: 'unchanged' } as const;

export function renderInit(r: InitResult, s: Style): string {
  const width = Math.max(...r.files.map((f) => f.path.length));
  const lines = r.files.map(
    (f) =>
      `${f.action === 'unchanged' ? s.dim('·') : s.green('✔')} ${VERB[f.action].padEnd(10)} ${s.bold(f.path.padEnd(width))}  ${s.dim(f.purpose)}`,
  );
  lines.push('', `Registry: ${r.registry}. Next:`);
  for (const cmd of r.next) lines.push(`  ${s.cyan(cmd)}`);
  return lines.join('\n');
}
