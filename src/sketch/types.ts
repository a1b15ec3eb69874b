/**
 * A Quick, Draw! `drawing`: a list of strokes, each `[xs, ys]` (simplified data, integers 0..255) or
 * `[xs, ys, ts]` (raw data: float pixel coordinates and times in ms).
 *
 * ```ts
 * const drawing: Drawing = [[[0, 10, 20], [5, 5, 30]], [[3], [4]]];
 * ```
 */
export type Drawing = Array<[number[], number[]] | [number[], number[], number[]]>;

/**
 * A sketch in stroke-3 form, as the tutorial's TFRecords store it: `3·n` float32 values, row-major
 * `[n, 3]`, each row `(dx, dy, p)` with `p = 1` when the pen lifts after that point.
 *
 * ```ts
 * const ink: Ink = new Float32Array([0.5, 0, 0, 0, 0.5, 1]); // two steps, pen lifts after the second
 * ```
 */
export type Ink = Float32Array;

/**
 * One Quick, Draw! record, as read from ndjson (`parseNdjson`) or the binary `.bin` format
 * (`parseBinaryDrawings`).
 *
 * ```ts
 * for await (const sample of parseNdjson(text)) console.log(sample.word, sample.drawing.length);
 * ```
 */
export interface QuickDrawSample {
  /** The drawing's id, kept as a decimal string (it exceeds 2^53). */
  readonly key_id: string;
  /** The class word as written in the file (its case may differ from the class list). `''` in `.bin`, unless given. */
  readonly word: string;
  /** Two-letter country code. */
  readonly countrycode: string;
  /** ndjson: the timestamp text as written (`"2017-03-02 23:25:10.07453 UTC"`); `.bin`: unix seconds. */
  readonly timestamp: string | number;
  /** Whether the game recognized the drawing. */
  readonly recognized: boolean;
  /** The strokes. */
  readonly drawing: Drawing;
}
