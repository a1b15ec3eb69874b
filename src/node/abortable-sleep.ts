import {setTimeout as delay} from 'node:timers/promises';

/**
 * Waits `ms` milliseconds, or rejects with `signal.reason` as soon as `signal` aborts (the reason the
 * caller gave, not the platform's generic `AbortError`), so retry loops stop at once on an abort.
 */
export async function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await delay(ms, undefined, signal === undefined ? {} : {signal});
  } catch (err) {
    if (signal?.aborted === true) throw signal.reason;
    throw err;
  }
}
