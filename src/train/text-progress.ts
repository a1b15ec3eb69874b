/**
 * `textProgress`: a `ProgressSink` that plays a terminal into any element's text, so a page shows
 * `trainClassifier`'s live progress line as a terminal would.
 * @module
 */
import {TrainError} from './errors.js';
import type {ProgressSink} from './train-types.js';

/** Anything with a `textContent` to set: a DOM element (`<pre>`, `<output>`, `<div>`), or a plain object in tests. */
export interface TextTarget {
  textContent: string | null;
}

/** Options of {@link textProgress}. */
export interface TextProgressOptions {
  /** How many finished lines (the epochs' lines) to keep above the live line; older ones scroll away. Default 100. */
  readonly keepLines?: number;
}

/** A `ProgressSink` whose text ends up in a `TextTarget`, with what it shows. */
export interface TextProgressSink extends ProgressSink {
  readonly isTTY: true;
  /** The finished lines kept (oldest first). */
  readonly lines: readonly string[];
  /** The line being redrawn (the live progress line), `''` between epochs. */
  readonly current: string;
}

/** Erase to the end of the line (`ESC [ K`), the only escape sequence `trainClassifier` writes. */
const ERASE_LINE_END = '\x1b[K';

/**
 * A terminal of one live line for `trainClassifier`'s `progress` option: it reads the text a terminal
 * would get (`\r` back to the line's start, `ESC[K` erase to its end, `\n` next line; other escape
 * sequences dropped) and sets `target.textContent` to the finished lines (at most `keepLines`) and the
 * line being drawn, joined by `\n`. So a `<pre>` shows the same
 * `12/100 [>....] - ETA: 11s - 256 samples/s - loss: 3.9000 - accuracy: ...` line as the CLI, redrawn
 * at most every `progressIntervalMs` (100 ms by default), and each epoch's Keras line when it ends
 * (when `trainClassifier` has no `log`; with a `log` it clears the line instead). `isTTY` is `true`,
 * so `trainClassifier` writes to it. Browser-safe; Node's `process.stdout` needs no such thing.
 * Throws `TrainError` (`invalid-options`) for a `keepLines` below 0 or not whole.
 *
 * ```ts
 * const progress = textProgress(document.querySelector('pre#progress')!);
 * await trainClassifier(model, train, {epochs: 2, progress});
 * ```
 */
export function textProgress(target: TextTarget, options: TextProgressOptions = {}): TextProgressSink {
  const keepLines = options.keepLines ?? 100;
  if (!(keepLines >= 0) || !Number.isInteger(keepLines)) {
    throw new TrainError('invalid-options', `keepLines must be a whole number of at least 0, got ${keepLines}`, {option: 'keepLines'});
  }
  const lines: string[] = [];
  let current = '';
  let column = 0;
  const put = (text: string): void => {
    current = current.slice(0, column) + text + current.slice(column + text.length);
    column += text.length;
  };
  const sink: TextProgressSink = {
    isTTY: true,
    get lines() {
      return lines;
    },
    get current() {
      return current;
    },
    write(text: string) {
      // Tokens: CR, LF, an escape sequence (CSI), or a run of plain text.
      for (const token of text.match(/\r|\n|\x1b\[[0-9;?]*[ -/]*[@-~]|[^\r\n\x1b]+|\x1b/g) ?? []) {
        if (token === '\r') {
          column = 0;
        } else if (token === '\n') {
          lines.push(current);
          if (lines.length > keepLines) lines.splice(0, lines.length - keepLines);
          current = '';
          column = 0;
        } else if (token === ERASE_LINE_END) {
          current = current.slice(0, column);
        } else if (!token.startsWith('\x1b')) {
          put(token);
        }
      }
      target.textContent = current === '' ? lines.join('\n') : [...lines, current].join('\n');
      return true;
    },
  };
  return sink;
}
