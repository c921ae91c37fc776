/** `mlctl tune status NAME`: the study's settings, progress, workers and latest leaderboard. */
import type { StudyStatus } from '../../lifecycle/tune/study.js';
import type { Style } from '../output.js';
import { formatDuration, table } from './format.js';
import { leaderboardTable } from './tune-leaderboard.js';

export function renderStudyStatus(st: StudyStatus, s: Style): string {
  const { info, tasks, snapshot } = st;
  const settings = info.settings as { trials: number; folds: number; seed: number };
  const lines: string[] = [];
  const state = info.published
    ? `published ${info.published.model} v${info.published.version}`
    : tasks.pending + tasks.running + tasks.expired > 0 || tasks.done === 0
      ? 'searching'
      : 'training the winner';
  lines.push(`${s.bold(`Study "${info.name}"`)} → model ${info.model}: ${state}`);
  lines.push(
    `  search    ${settings.trials} trials, ${settings.folds}-fold CV on ${st.metric}, seed ${settings.seed}; data ${info.data.path} (${info.data.rows} rows, sha256 ${info.data.sha256.slice(0, 12)}…)`,
  );
  const progress = snapshot ? `${Math.round(snapshot.progress * 100)}%, rung ${snapshot.rung + 1}/${snapshot.rungs.length}, ` : '';
  lines.push(
    `  progress  ${progress}fold jobs: ${tasks.done} done, ${tasks.running} running, ${tasks.pending} waiting${tasks.expired ? `, ${tasks.expired} with an expired lease (to run again)` : ''}`,
  );
  lines.push(`  created   ${info.createdAt} by ${info.createdBy}`);
  lines.push('');
  lines.push(
    table(
      ['WORKER', 'THREADS', 'STATE', 'LAST SEEN', 'JOBS DONE', 'RUNNING'],
      st.workers.map((w) => [
        w.worker,
        w.parallel,
        w.state,
        `${formatDuration(w.lastSeenMs)} ago`,
        w.tasksDone,
        w.running.length > 0 ? w.running.join(', ') : '-',
      ]),
      s,
    ),
  );
  if (snapshot && snapshot.leaderboard.length > 0) {
    lines.push('');
    lines.push(leaderboardTable(snapshot.leaderboard, st.metric, snapshot.rungs.length, s, { limit: 10 }));
  }
  return lines.join('\n');
}
