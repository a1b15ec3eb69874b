/**
 * Metric values by name, as Keras's `logs` dict (`loss`, `accuracy`, `top5`, `val_loss`...).
 *
 * ```ts
 * const logs: Logs = {loss: 3.85, accuracy: 0.209, top5: 0.424};
 * ```
 */
export type Logs = Record<string, number>;

/**
 * Formats one metric value as Keras's progress bar does: 4 decimals, or `%.4e` below 1e-3.
 *
 * ```ts
 * formatMetricValue(0.20904); // '0.2090'
 * formatMetricValue(0.00012); // '1.2000e-4'
 * ```
 */
export function formatMetricValue(value: number): string {
  if (!Number.isFinite(value)) return String(value).toLowerCase();
  const abs = Math.abs(value);
  if (abs > 0 && abs < 1e-3) return value.toExponential(4);
  return value.toFixed(4);
}

/**
 * Joins logs as Keras prints them, in their insertion order.
 *
 * ```ts
 * formatLogs({loss: 3.85123, accuracy: 0.209}); // 'loss: 3.8512 - accuracy: 0.2090'
 * ```
 */
export function formatLogs(logs: Logs): string {
  return Object.entries(logs)
    .map(([name, value]) => `${name}: ${formatMetricValue(value)}`)
    .join(' - ');
}

/**
 * Keras's time per step.
 *
 * ```ts
 * formatTimePerStep(0.019); // '19ms/step'
 * ```
 */
export function formatTimePerStep(seconds: number): string {
  if (seconds >= 1) return `${Math.round(seconds)}s/step`;
  if (seconds >= 1e-3) return `${Math.round(seconds * 1e3)}ms/step`;
  return `${Math.round(seconds * 1e6)}us/step`;
}

/**
 * A duration as Keras's ETA prints it.
 *
 * ```ts
 * formatEta(62); // '1:02'
 * ```
 */
export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${r}` : `${m}:${r}`;
}

/**
 * The line Keras prints at the end of an epoch (what `trainClassifier` sends to `log`).
 *
 * ```ts
 * epochEndLine(3, 12.2, {loss: 3.85123}); // '3/3 - 12s 4s/step - loss: 3.8512'
 * ```
 */
export function epochEndLine(steps: number, elapsedSec: number, logs: Logs): string {
  const perStep = steps > 0 ? elapsedSec / steps : 0;
  const metrics = formatLogs(logs);
  return `${steps}/${steps} - ${Math.round(elapsedSec)}s ${formatTimePerStep(perStep)}${metrics ? ` - ${metrics}` : ''}`;
}

/**
 * The live progress line `trainClassifier` redraws on a terminal; `total` undefined gives `12/Unknown`.
 *
 * ```ts
 * progressLine(12, 100, 1.5, 256, {loss: 3.9}, 10); // ' 12/100 [>.........] - ETA: 11s - 256 samples/s - loss: 3.9000'
 * ```
 */
export function progressLine(
  step: number,
  total: number | undefined,
  elapsedSec: number,
  samplesPerSec: number,
  logs: Logs,
  barWidth = 30,
): string {
  const metrics = formatLogs(logs);
  const rate = `${samplesPerSec >= 100 ? Math.round(samplesPerSec) : samplesPerSec.toFixed(1)} samples/s`;
  if (total === undefined) {
    return `${step}/Unknown - ${Math.round(elapsedSec)}s - ${rate}${metrics ? ` - ${metrics}` : ''}`;
  }
  const width = String(total).length;
  const done = Math.min(barWidth, Math.floor((barWidth * step) / Math.max(total, 1)));
  const bar = step >= total ? '='.repeat(barWidth) : `${'='.repeat(Math.max(0, done - 1))}>${'.'.repeat(barWidth - Math.max(done, 1))}`;
  const eta = step > 0 ? ((total - step) * elapsedSec) / step : 0;
  return `${String(step).padStart(width)}/${total} [${bar}] - ETA: ${formatEta(eta)} - ${rate}${metrics ? ` - ${metrics}` : ''}`;
}
