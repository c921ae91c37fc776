/** Human rendering of `mlctl version verify`. */
import type { VerifyRegistryResult } from '../../lifecycle/verify-registry.js';
import type { Style } from '../output.js';
import { plural } from '../../vocabulary.js';

export function renderVerify(result: VerifyRegistryResult, s: Style): string {
  const lines: string[] = [];
  const okCount = result.versions.filter((v) => v.ok).length;
  for (const p of result.problems) {
    const where =
      p.problem === 'no-record'
        ? `${p.model}/${p.version}`
        : p.problem === 'alias' || p.version === null
          ? p.model
          : `${p.model} v${p.version}`;
    lines.push(`${s.red('✖')} ${where}: ${p.message}`);
  }
  for (const st of result.staging) {
    const state = st.removed ? 'removed' : st.ownerGone ? 'left by a crashed publisher; remove with --clean' : 'in progress';
    lines.push(`${s.yellow('!')} staging directory ${st.dir} (${state})`);
  }
  const summary = `${okCount}/${result.versions.length} version${result.versions.length === 1 ? '' : 's'} verified in ${result.registry}`;
  lines.push(result.ok ? `${s.green('✔')} ${summary}` : `${s.red('✖')} ${summary}; ${plural(result.problems.length, 'problem')}`);
  return lines.join('\n');
}
