import { describe, expect, it } from 'vitest';
import { EarlyStopping } from '../../../../src/engine/training/early-stopping.js';

describe('EarlyStopping', () => {
  it('improves on every lower value and remembers the best epoch', () => {
    const s = new EarlyStopping({ patience: 2 });
    expect(s.update(1, 1.0)).toBe('improved');
    expect(s.update(2, 0.8)).toBe('improved');
    expect(s.bestEpoch).toBe(2);
  });

  it('stops after `patience` epochs without improvement, keeping the best epoch', () => {
    const s = new EarlyStopping({ patience: 3 });
    s.update(1, 1.0);
    s.update(2, 0.5);
    expect(s.update(3, 0.6)).toBe('wait');
    expect(s.update(4, 0.5)).toBe('wait'); // equal is not better
    expect(s.update(5, 0.7)).toBe('stop');
    expect(s.bestEpoch).toBe(2);
  });

  it('resets the wait after an improvement', () => {
    const s = new EarlyStopping({ patience: 2 });
    s.update(1, 1.0);
    expect(s.update(2, 1.1)).toBe('wait');
    expect(s.update(3, 0.9)).toBe('improved');
    expect(s.update(4, 1.0)).toBe('wait');
    expect(s.update(5, 1.0)).toBe('stop');
    expect(s.bestEpoch).toBe(3);
  });

  it('needs an improvement larger than minDelta', () => {
    const s = new EarlyStopping({ patience: 1, minDelta: 0.1 });
    s.update(1, 1.0);
    expect(s.update(2, 0.95)).toBe('stop');
    expect(s.bestEpoch).toBe(1);
  });
});
