import {type ChunkSource, iterateChunks} from './chunks.js';
import {checkDrawing} from './drawing-to-ink.js';
import {SketchError} from './errors.js';
import type {Drawing, QuickDrawSample} from './types.js';

/** Options of `parseNdjson`. */
export interface ParseNdjsonOptions {
  /**
   * The longest line accepted, in UTF-16 code units, so a file without newlines cannot make the
   * reader buffer without bound. Default 16,777,216 (16 Mi; real lines are a few KB).
   */
  readonly maxLineLength?: number;
}

const DEFAULT_MAX_LINE = 16 * 1024 * 1024;

/**
 * Reads Quick, Draw! ndjson (raw or simplified), yielding one `QuickDrawSample` per non-blank line.
 *
 * Input: the whole text, or a stream of chunks (`AsyncIterable<Uint8Array | string>` such as a Node
 * read stream, or a web `ReadableStream<Uint8Array>` such as `response.body`); bytes are decoded as
 * UTF-8 across chunk boundaries. Lines end with `\n` or `\r\n`; blank lines are skipped but counted.
 * Each line must be a JSON object with a valid `drawing` (see `drawingToInk`); `key_id` may be a
 * string or a number and is yielded as a string; missing `word`, `countrycode`, `timestamp` default
 * to `''` and `recognized` to `false`, while present ones must have the right type.
 * Errors are `SketchError`s with the 1-based `line`: `invalid-json`, `invalid-sample`,
 * `invalid-drawing`, `line-too-long`.
 *
 * ```ts
 * for await (const sample of parseNdjson(fs.createReadStream('cat.ndjson'))) {
 *   const ink = drawingToInk(sample.drawing);
 * }
 * ```
 */
export async function* parseNdjson(
  input: string | ChunkSource,
  options: ParseNdjsonOptions = {},
): AsyncGenerator<QuickDrawSample, void, undefined> {
  const maxLine = options.maxLineLength ?? DEFAULT_MAX_LINE;
  let line = 0;
  if (typeof input === 'string') {
    let start = 0;
    while (start <= input.length) {
      let end = input.indexOf('\n', start);
      if (end === -1) end = input.length;
      line++;
      if (end - start > maxLine) throw tooLong(line, maxLine);
      const sample = parseLine(input.slice(start, end), line);
      if (sample !== undefined) yield sample;
      start = end + 1;
    }
    return;
  }
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  for await (const chunk of iterateChunks(input)) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, {stream: true});
    let start = 0;
    for (;;) {
      const end = pending.indexOf('\n', start);
      if (end === -1) break;
      line++;
      if (end - start > maxLine) throw tooLong(line, maxLine);
      const sample = parseLine(pending.slice(start, end), line);
      start = end + 1;
      if (sample !== undefined) yield sample;
    }
    pending = pending.slice(start);
    if (pending.length > maxLine) throw tooLong(line + 1, maxLine);
  }
  pending += decoder.decode();
  line++;
  if (pending.length > maxLine) throw tooLong(line, maxLine);
  const last = parseLine(pending, line);
  if (last !== undefined) yield last;
}

function tooLong(line: number, max: number): SketchError {
  return new SketchError('line-too-long', `line ${line} is longer than ${max} characters`, {line});
}

function parseLine(text: string, line: number): QuickDrawSample | undefined {
  if (text.endsWith('\r')) text = text.slice(0, -1);
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new SketchError('invalid-json', `invalid json at line ${line}: ${(cause as Error).message}`, {line, cause});
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SketchError('invalid-sample', `line ${line} is not a json object`, {line});
  }
  const record = value as Record<string, unknown>;
  if (!Object.hasOwn(record, 'drawing')) {
    throw new SketchError('invalid-sample', `line ${line} has no drawing`, {line});
  }
  try {
    checkDrawing(record.drawing, ` at line ${line}`);
  } catch (error) {
    if (error instanceof SketchError) throw new SketchError(error.code, error.message.slice(8), {line});
    throw error;
  }
  const keyId = record.key_id;
  if (keyId !== undefined && typeof keyId !== 'string' && typeof keyId !== 'number') {
    throw new SketchError('invalid-sample', `key_id at line ${line} is not a string or a number`, {line});
  }
  return {
    key_id: keyId === undefined ? '' : String(keyId),
    word: field(record, 'word', 'string', '', line),
    countrycode: field(record, 'countrycode', 'string', '', line),
    timestamp: field(record, 'timestamp', 'string', '', line),
    recognized: field(record, 'recognized', 'boolean', false, line),
    drawing: record.drawing as Drawing,
  };
}

function field<T extends string | boolean>(
  record: Record<string, unknown>,
  name: string,
  type: 'string' | 'boolean',
  fallback: T,
  line: number,
): T {
  const value = Object.hasOwn(record, name) ? record[name] : undefined;
  if (value === undefined) return fallback;
  if (typeof value !== type) throw new SketchError('invalid-sample', `${name} at line ${line} is not a ${type}`, {line});
  return value as T;
}
