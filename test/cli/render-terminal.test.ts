/**
 * Terminal renderings: evaluate's confusion matrix (aligned, diagonal highlighted with and without
 * colour), train's validation sparkline (only when the Reporter says stdout is a terminal).
 */
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { Chalk } from 'chalk';
import { renderConfusionMatrix } from '../../src/cli/render/confusion-matrix.js';
import { markedSparkline, sparkline } from '../../src/cli/render/sparkline.js';
import { renderTrain } from '../../src/cli/render/train.js';
import { Reporter } from '../../src/cli/output.js';
import { sampleTrainRecord } from '../helpers/sample-record.js';

const plain = new Chalk({ level: 0 });
const colour = new Chalk({ level: 1 });
const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

describe('renderConfusionMatrix', () => {
  const labels = ['setosa', 'versicolor', 'virginica'];
  const matrix = [
    [10, 0, 0],
    [0, 9, 1],
    [0, 12, 100],
  ];

  it('right-aligns every count under its class and brackets the diagonal', () => {
    const lines = renderConfusionMatrix(labels, matrix, plain).split('\n');
    expect(lines[0]).toBe('true \\ predicted  setosa  versicolor  virginica');
    expect(lines[1]).toBe('setosa              [10]           0          0');
    expect(lines[2]).toBe('versicolor             0         [9]          1');
    expect(lines[3]).toBe('virginica              0          12      [100]');
    // every count ends in the column of its header's last character
    for (let c = 0; c < labels.length; c++) {
      const end = lines[0].indexOf(labels[c]) + labels[c].length;
      for (const line of lines.slice(1)) expect(line[end - 1]).toMatch(/[0-9\]]/);
    }
  });

  it('colours the diagonal green and bold, mistakes red, zeros dim, keeping the alignment', () => {
    const out = renderConfusionMatrix(labels, matrix, colour);
    expect(strip(out)).toBe(renderConfusionMatrix(labels, matrix, plain));
    expect(out).toContain(colour.bold.green('[9]'));
    expect(out).toContain(colour.red('1'));
    expect(out).toContain(colour.red('12'));
  });
});

describe('sparkline', () => {
  it('maps the lowest value to ▁ and the highest to █', () => {
    expect(sparkline([3, 2, 1, 0]).text).toBe('█▆▃▁');
    expect(sparkline([1, 1, 1]).text).toBe('▁▁▁');
  });

  it('averages long series into the width', () => {
    const line = sparkline(
      Array.from({ length: 200 }, (_, i) => i),
      40,
    );
    expect([...line.text]).toHaveLength(40);
    expect(line.bucketOf(199)).toBe(39);
    expect(line.text.startsWith('▁')).toBe(true);
    expect(line.text.endsWith('█')).toBe(true);
  });

  it('highlights the marked index', () => {
    expect(markedSparkline([3, 2, 1, 0], 2, colour)).toBe(`█▆${colour.bold.green('▃')}▁`);
  });
});

describe('renderTrain', () => {
  const record = sampleTrainRecord();
  record.history = {
    epochsRun: 4,
    bestEpoch: 3,
    stoppedEarly: true,
    epochs: [0.9, 0.5, 0.2, 0.3].map((v, i) => ({
      epoch: i + 1,
      epochs: 10,
      loss: v,
      valLoss: v,
      valAcc: 1 - v,
      learningRate: 0.01,
      elapsedMs: i,
    })),
  };

  it('draws the validation curves with the best epoch only when asked', () => {
    const withCurve = renderTrain(record, plain, { curve: true });
    expect(withCurve).toContain('val loss  █▄▁▂ 0.2000 at best epoch 3');
    expect(withCurve).toContain('val acc   ▁▅█▇ 0.8000 at best epoch 3');
    expect(withCurve).toContain('epochs 1–4 (stopped early)');
    expect(renderTrain(record, plain)).not.toContain('val loss');
  });

  it('is asked only when stdout is a terminal and not --json', () => {
    const tty = Object.assign(new PassThrough(), { isTTY: true });
    const pipe = new PassThrough();
    expect(new Reporter({ json: false, verbose: false, color: false, stdout: tty, stderr: pipe }).terminal).toBe(true);
    expect(new Reporter({ json: true, verbose: false, color: false, stdout: tty, stderr: pipe }).terminal).toBe(false);
    expect(new Reporter({ json: false, verbose: false, color: false, stdout: pipe, stderr: pipe }).terminal).toBe(false);
  });
});
