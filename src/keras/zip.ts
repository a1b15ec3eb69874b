// The zip reader of this module (fflate), for Keras 3 `.keras` archives.
import {unzipSync} from 'fflate';
import {KerasError} from './errors.js';
import {MAX_KERAS_FILE_BYTES} from './sources.js';

/** Whether `bytes` start like a zip archive (a local file header). */
export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** The most deflate expands: a member declaring more than this many times its compressed size is corrupt. */
const MAX_DEFLATE_RATIO = 1032;

/**
 * The members `wanted` of a zip archive (others are not inflated). The sizes a member declares are
 * checked before anything is allocated for it: at most `MAX_KERAS_FILE_BYTES`, its compressed size
 * within the archive, a stored member as long as it declares, a deflated one at most 1032 times its
 * compressed size.
 */
export function readZipMembers(bytes: Uint8Array, name: string, wanted: readonly string[]): Map<string, Uint8Array> {
  const tooBig: string[] = [];
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes, {
      filter: (file) => {
        if (!wanted.includes(file.name)) return false;
        if (file.originalSize > MAX_KERAS_FILE_BYTES) {
          tooBig.push(`member ${file.name} declares ${file.originalSize} bytes, more than the ${MAX_KERAS_FILE_BYTES} a keras file may have`);
          return false;
        }
        const stored = file.compression === 0;
        if (file.size > bytes.length || (stored ? file.originalSize !== file.size : file.originalSize > Math.max(file.size, 1) * MAX_DEFLATE_RATIO)) {
          tooBig.push(
            `member ${file.name} declares ${file.originalSize} bytes from ${file.size} ${stored ? 'stored' : 'compressed'} bytes in a ${bytes.length}-byte archive, which cannot be`,
          );
          return false;
        }
        return true;
      },
    });
  } catch (cause) {
    throw new KerasError('invalid-file', `${name} could not be read as a zip archive: ${(cause as Error)?.message ?? String(cause)}`, {file: name, cause});
  }
  if (tooBig.length > 0) {
    throw new KerasError('invalid-file', `${name}: ${tooBig[0]}`, {file: name});
  }
  return new Map(Object.entries(members));
}
