// The HDF5 reader of this module: jsfive (pure JavaScript, synchronous, works in browsers and Node) behind
// a small interface, with every failure turned into a KerasError naming the file and the HDF5 path.
import * as jsfive from 'jsfive';
import {KerasError} from './errors.js';

/** A dataset read as float32 values with its shape. */
export interface Hdf5Array {
  readonly shape: number[];
  readonly values: Float32Array;
}

/** An opened HDF5 file: paths are `/`-separated, relative to the root. */
export interface Hdf5File {
  readonly name: string;
  has(path: string): boolean;
  isGroup(path: string): boolean;
  keys(path: string): string[];
  attrNames(path: string): string[];
  /** An attribute, strings with their NUL padding removed; `undefined` when absent. */
  attr(path: string, name: string): unknown;
  dataset(path: string): Hdf5Array;
}

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Whether `bytes` start with the HDF5 signature. */
export function isHdf5(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);
}

function message(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The end-of-file address the superblock records (versions 0 to 3), or null when it cannot be read. */
function recordedLength(bytes: Uint8Array): number | null {
  if (bytes.length < 16) return null;
  const version = bytes[8]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offsetSize: number;
  let at: number;
  if (version === 0 || version === 1) {
    offsetSize = bytes[13]!;
    at = 24 + (version === 1 ? 4 : 0) + 2 * offsetSize;
  } else if (version === 2 || version === 3) {
    offsetSize = bytes[9]!;
    at = 12 + 2 * offsetSize;
  } else {
    return null;
  }
  if (offsetSize !== 8 && offsetSize !== 4) return null;
  if (at + offsetSize > bytes.length) return null;
  return offsetSize === 8 ? Number(view.getBigUint64(at, true)) : view.getUint32(at, true);
}

/** The most deflate can shrink data: a count above this many times the file size cannot be real. */
const MAX_DEFLATE_RATIO = 1032;

/** The per-object attribute reader of jsfive (`_attr_value(dtype, buffer, count, offset)`). */
interface AttributeReader {
  _attr_value(dtype: unknown, buffer: ArrayBuffer, count: number, offset: number): unknown[];
}

/**
 * Makes one opened HDF5 object refuse an attribute whose element count (read from the file) exceeds
 * the file's size before jsfive allocates an array of that length: each element takes at least one byte
 * of the file. Set on the object itself, so jsfive's classes stay as they are for anyone else.
 */
function guardAttributes(node: jsfive.Group | jsfive.Dataset, fileBytes: number): void {
  const objects = (node as unknown as {_dataobjects?: AttributeReader & {qdtGuarded?: boolean}})._dataobjects;
  if (objects === undefined || objects.qdtGuarded === true || typeof objects._attr_value !== 'function') return;
  const read = objects._attr_value;
  objects._attr_value = function (dtype, buffer, count, offset) {
    if (!Number.isSafeInteger(count) || count < 0 || count > fileBytes) {
      throw new Error(`an attribute of ${count} elements, more than the file's ${fileBytes} bytes can hold`);
    }
    return read.call(this, dtype, buffer, count, offset);
  };
  objects.qdtGuarded = true;
}

function stripString(value: string): string {
  const nul = value.indexOf('\0');
  return nul === -1 ? value : value.slice(0, nul);
}

function cleanAttr(value: unknown): unknown {
  if (typeof value === 'string') return stripString(value);
  if (value instanceof Uint8Array) return stripString(new TextDecoder().decode(value));
  if (Array.isArray(value)) return value.map(cleanAttr);
  return value;
}

/**
 * Opens HDF5 bytes. Throws `KerasError` (`invalid-file`) when they are not HDF5 or are shorter than the
 * file's superblock says.
 */
export function openHdf5(bytes: Uint8Array, name: string): Hdf5File {
  if (!isHdf5(bytes)) {
    throw new KerasError('invalid-file', `${name} is not an hdf5 file (no hdf5 signature at byte 0)`, {file: name, expected: 'hdf5 signature'});
  }
  const recorded = recordedLength(bytes);
  if (recorded !== null && recorded > bytes.length) {
    throw new KerasError('invalid-file', `${name} is truncated: its hdf5 superblock says ${recorded} bytes, got ${bytes.length}`, {
      file: name,
      expected: `${recorded} bytes`,
      actual: `${bytes.length} bytes`,
    });
  }
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let file: jsfive.File;
  try {
    file = new jsfive.File(buffer, name);
  } catch (cause) {
    throw new KerasError('invalid-file', `${name} could not be read as hdf5: ${message(cause)}`, {file: name, cause});
  }
  const fail = (path: string, what: string, cause?: unknown): KerasError =>
    new KerasError('invalid-file', `${name}: ${what} at hdf5 path /${path}${cause === undefined ? '' : `: ${message(cause)}`}`, {
      file: name,
      path: `/${path}`,
      ...(cause === undefined ? {} : {cause}),
    });
  const get = (path: string): jsfive.Group | jsfive.Dataset => {
    let node: jsfive.Group | jsfive.Dataset;
    if (path === '' || path === '/') node = file;
    else {
      try {
        node = file.get(path);
      } catch (cause) {
        throw fail(path, 'no group or dataset', cause);
      }
      if (node === undefined || node === null) throw fail(path, 'nothing');
    }
    guardAttributes(node, bytes.length);
    return node;
  };
  const has = (path: string): boolean => {
    try {
      get(path);
      return true;
    } catch {
      return false;
    }
  };
  const isGroup = (path: string): boolean => has(path) && Array.isArray((get(path) as jsfive.Group).keys);
  return {
    name,
    has,
    isGroup,
    keys(path) {
      const node = get(path);
      const keys = (node as jsfive.Group).keys;
      if (!Array.isArray(keys)) throw fail(path, 'a dataset where a group was expected');
      return [...keys];
    },
    attrNames(path) {
      try {
        return Object.keys(get(path).attrs);
      } catch (cause) {
        if (cause instanceof KerasError) throw cause;
        throw fail(path, 'unreadable attributes', cause);
      }
    },
    attr(path, attrName) {
      let attrs: Record<string, unknown>;
      try {
        attrs = get(path).attrs;
      } catch (cause) {
        if (cause instanceof KerasError) throw cause;
        throw fail(path, 'unreadable attributes', cause);
      }
      return Object.hasOwn(attrs, attrName) ? cleanAttr(attrs[attrName]) : undefined;
    },
    dataset(path) {
      const node = get(path);
      if (Array.isArray((node as jsfive.Group).keys)) throw fail(path, 'a group where a dataset was expected');
      const dataset = node as jsfive.Dataset;
      let shape: number[];
      try {
        shape = [...dataset.shape];
      } catch (cause) {
        throw fail(path, 'an unreadable dataset shape', cause);
      }
      const elements = shape.reduce((a, b) => a * b, 1);
      // The element count comes from the file: refuse one no file of this size can hold (deflate, the
      // only compression Keras files could use, shrinks data at most about 1032 times).
      if (!Number.isSafeInteger(elements) || elements > bytes.length * MAX_DEFLATE_RATIO) {
        throw fail(path, `a dataset of shape [${shape.join(', ')}], more values than a ${bytes.length}-byte file can hold`);
      }
      try {
        const raw = dataset.value;
        const size = elements;
        if (raw.length !== size) throw new Error(`${raw.length} values for shape [${shape.join(', ')}]`);
        const values = new Float32Array(size);
        for (let i = 0; i < size; i++) {
          const v = raw[i]!;
          values[i] = typeof v === 'bigint' ? Number(v) : v;
        }
        return {shape, values};
      } catch (cause) {
        throw fail(path, 'an unreadable dataset', cause);
      }
    },
  };
}
