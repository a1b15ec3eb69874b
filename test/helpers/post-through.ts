// Hands a value to another realm's port as postMessage does (structured clone, with transfers).
import {MessageChannel} from 'node:worker_threads';

/** Sends `value` through a node:worker_threads MessageChannel, transferring `transfer`; resolves with what arrives. */
export async function postThrough<T>(value: T, transfer: ArrayBuffer[]): Promise<T> {
  const {port1, port2} = new MessageChannel();
  try {
    const arrived = new Promise<T>((resolve) => port2.once('message', resolve));
    port1.postMessage(value, transfer);
    return await arrived;
  } finally {
    port1.close();
    port2.close();
  }
}
