/**
 * Request batching (TF Serving's batch_timeout_micros / max_batch_size): rows of concurrent
 * requests for the same servable are concatenated into one forward pass and the outputs cut back
 * per caller, each caller getting exactly its own rows. A batch runs when it reaches
 * `maxBatchSize` rows, or when the current turn of the event loop is over (timeout 0: every
 * request whose body was read in the same I/O phase joins), or after `timeoutMs`.
 * Used only where the load-time measurement says one pass over many rows beats many passes.
 */
import type { Servable } from './servable.js';

export interface BatcherOptions {
  maxBatchSize: number;
  /** 0: flush at the end of the current event-loop turn (setImmediate) */
  timeoutMs: number;
  /** called with the rows of each forward pass (metrics) */
  onBatch?: (servable: Servable, rows: number) => void;
}

interface Pending {
  x: Float32Array;
  n: number;
  resolve: (out: Float32Array) => void;
  reject: (e: unknown) => void;
}

interface Queue {
  items: Pending[];
  rows: number;
  timer: NodeJS.Timeout | NodeJS.Immediate | null;
}

export class Batcher {
  private readonly queues = new WeakMap<Servable, Queue>();
  private readonly options: BatcherOptions;

  constructor(options: BatcherOptions) {
    this.options = { ...options, maxBatchSize: Math.max(1, options.maxBatchSize) };
  }

  /** Outputs for these rows (n × servable.outputSize). */
  run(servable: Servable, x: Float32Array, n: number): Promise<Float32Array> {
    if (n >= this.options.maxBatchSize) {
      // already a full batch: no reason to wait for company
      try {
        this.options.onBatch?.(servable, n);
        return Promise.resolve(servable.forward(x, n));
      } catch (e) {
        return Promise.reject(e);
      }
    }
    let queue = this.queues.get(servable);
    if (!queue) {
      queue = { items: [], rows: 0, timer: null };
      this.queues.set(servable, queue);
    }
    if (queue.rows + n > this.options.maxBatchSize) this.flush(servable, queue);
    const q = queue;
    return new Promise<Float32Array>((resolve, reject) => {
      q.items.push({ x, n, resolve, reject });
      q.rows += n;
      if (q.rows >= this.options.maxBatchSize) this.flush(servable, q);
      else if (!q.timer) {
        q.timer =
          this.options.timeoutMs > 0
            ? setTimeout(() => this.flush(servable, q), this.options.timeoutMs)
            : setImmediate(() => this.flush(servable, q));
      }
    });
  }

  private flush(servable: Servable, queue: Queue): void {
    if (queue.timer) {
      if (this.options.timeoutMs > 0) clearTimeout(queue.timer as NodeJS.Timeout);
      else clearImmediate(queue.timer as NodeJS.Immediate);
      queue.timer = null;
    }
    const items = queue.items;
    const rows = queue.rows;
    queue.items = [];
    queue.rows = 0;
    if (items.length === 0) return;
    let out: Float32Array;
    try {
      let x: Float32Array;
      if (items.length === 1) x = items[0].x;
      else {
        x = new Float32Array(rows * servable.inputSize);
        let at = 0;
        for (const it of items) {
          x.set(it.x, at);
          at += it.x.length;
        }
      }
      this.options.onBatch?.(servable, rows);
      out = servable.forward(x, rows);
    } catch (e) {
      for (const it of items) it.reject(e);
      return;
    }
    const width = servable.outputSize;
    let row = 0;
    for (const it of items) {
      it.resolve(out.slice(row * width, (row + it.n) * width));
      row += it.n;
    }
  }
}
