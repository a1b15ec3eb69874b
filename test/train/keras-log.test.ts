import {describe, expect, it} from 'vitest';
import {epochEndLine, formatEta, formatLogs, formatMetricValue, formatTimePerStep, progressLine} from '../../src/train/index.js';

describe('Keras-style text', () => {
  it('formats values, times and lines as Keras prints them', () => {
    expect(formatMetricValue(0.20904)).toBe('0.2090');
    expect(formatMetricValue(0.00012)).toBe('1.2000e-4');
    expect(formatMetricValue(0)).toBe('0.0000');
    expect(formatMetricValue(Number.NaN)).toBe('nan');
    expect(formatLogs({loss: 3.85123, accuracy: 0.209})).toBe('loss: 3.8512 - accuracy: 0.2090');
    expect(formatTimePerStep(0.019)).toBe('19ms/step');
    expect(formatTimePerStep(2.4)).toBe('2s/step');
    expect(formatTimePerStep(0.00085)).toBe('850us/step');
    expect(formatEta(45)).toBe('45s');
    expect(formatEta(62)).toBe('1:02');
    expect(formatEta(3723)).toBe('1:02:03');
    expect(epochEndLine(107813, 2012.4, {loss: 3.8512, accuracy: 0.209, top5: 0.424})).toBe(
      '107813/107813 - 2012s 19ms/step - loss: 3.8512 - accuracy: 0.2090 - top5: 0.4240',
    );
    expect(progressLine(12, 100, 1.5, 256, {loss: 3.9}, 10)).toBe(' 12/100 [>.........] - ETA: 11s - 256 samples/s - loss: 3.9000');
    expect(progressLine(50, 100, 1, 32.5, {}, 10)).toBe(' 50/100 [====>.....] - ETA: 1s - 32.5 samples/s');
    expect(progressLine(100, 100, 2, 1600, {}, 10)).toBe('100/100 [==========] - ETA: 0s - 1600 samples/s');
    expect(progressLine(7, undefined, 3.2, 70, {loss: 1})).toBe('7/Unknown - 3s - 70.0 samples/s - loss: 1.0000');
  });
});
