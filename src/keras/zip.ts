// The zip reader of this module (fflate), for Keras 3 `.keras` archives.
import {unzipSync} from 'fflate';
import {KerasError} from './errors.js';
import {MAX_KERAS_FILE_BYTES} from './sources.js';

/** Whether `bytes` start like a zip archive (a local file header). */
export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/**
 * The members `wanted` of a zip archive (others are not inflated). A member declaring more than
 * `MAX_KERAS_FILE_BYTES` is refused before anything is allocated for it.
 */
export function readZipMembers(bytes: Uint8Array, name: string, wanted: readonly string[]): Map<string, Uint8Array> {
  const tooBig: string[] = [];
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes, {
      filter: (file) => {
        if (!wanted.includes(file.name)) return false;
        if (file.originalSize > MAX_KERAS_FILE_BYTES) {
          tooBig.push(`${file.name} (${file.originalSize} bytes)`);
          return false;
        }
        return true;
      },
    });
  } catch (cause) {
    throw new KerasError('invalid-file', `${name} could not be read as a zip archive: ${(cause as Error)?.message ?? String(cause)}`, {file: name, cause});
  }
  if (tooBig.length > 0) {
    throw new KerasError('invalid-file', `${name}: member ${tooBig[0]} is larger than ${MAX_KERAS_FILE_BYTES} bytes`, {file: name, path: tooBig[0]!});
  }
  return new Map(Object.entries(members));
}
