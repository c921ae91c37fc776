/** Progress of quantize and prune on the spinner (human mode only). */
import type { CommandContext } from '../context.js';
import type { CompressProgress } from '../../lifecycle/compression-report.js';

export function compressProgress(ctx: CommandContext): (event: CompressProgress) => void {
  return (event) => {
    let text: string;
    switch (event.phase) {
      case 'read':
        text = `Reading ${event.model} v${event.version}…`;
        break;
      case 'compress':
        text = 'Compressing weights…';
        break;
      case 'fine-tune':
        text = `Fine-tuning: epoch ${event.epoch}/${event.epochs}${Number.isFinite(event.sparsity) ? `, sparsity ${(event.sparsity * 100).toFixed(1)}%` : ''}${event.loss !== undefined ? `, loss ${event.loss.toFixed(4)}` : ''}`;
        break;
      case 'evaluate':
        text = 'Comparing with the parent…';
        break;
      case 'publish':
        text = 'Publishing…';
        break;
    }
    void ctx.reporter.progress(text);
  };
}
