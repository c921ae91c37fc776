/** Live training progress on stderr: one updating line per epoch at a terminal, a few lines in CI logs. */
import type { TrainProgress } from '../../lifecycle/train.js';
import type { Reporter } from '../output.js';
import { formatDuration } from './format.js';
import { plural } from '../../vocabulary.js';

/** off a TTY, print at most one epoch line this often (plus the last) */
const LOG_EVERY_MS = 2000;

export function createTrainProgress(reporter: Reporter): (event: TrainProgress) => void {
  let lastLogged = 0;
  return (event) => {
    switch (event.phase) {
      case 'data':
        for (const w of event.warnings) reporter.warn(w);
        void reporter.progress(`Read ${plural(event.rows, 'row')} × ${plural(event.columns, 'column')}`);
        break;
      case 'backend':
        void reporter.progress(`Training on the ${event.backend} backend…`);
        break;
      case 'fold':
        if (event.metrics) {
          const m = Object.entries(event.metrics)
            .map(([k, v]) => `${k} ${v.toFixed(4)}`)
            .join('  ');
          reporter.info(`fold ${event.fold}/${event.folds}: ${m}`);
        }
        break;
      case 'epoch': {
        const { log } = event;
        const parts = [`${event.fold ? `fold ${event.fold} · ` : ''}epoch ${log.epoch}/${log.epochs}`, `loss ${log.loss.toFixed(4)}`];
        if (log.valLoss !== undefined) parts.push(`val_loss ${log.valLoss.toFixed(4)}`);
        if (log.acc !== undefined) parts.push(`acc ${log.acc.toFixed(3)}`);
        if (log.valAcc !== undefined) parts.push(`val_acc ${log.valAcc.toFixed(3)}`);
        if (log.mae !== undefined) parts.push(`mae ${log.mae.toFixed(3)}`);
        if (log.valMae !== undefined) parts.push(`val_mae ${log.valMae.toFixed(3)}`);
        const perEpoch = log.elapsedMs / log.epoch;
        parts.push(`ETA ≤ ${formatDuration(perEpoch * (log.epochs - log.epoch))}`);
        const line = parts.join('  ');
        if (reporter.live) {
          void reporter.progress(line);
        } else if (log.elapsedMs - lastLogged >= LOG_EVERY_MS || log.epoch === log.epochs || log.epoch === 1) {
          lastLogged = log.elapsedMs;
          reporter.info(line);
        }
        break;
      }
      case 'publish':
        void reporter.progress('Publishing the new version…');
        break;
    }
  };
}
