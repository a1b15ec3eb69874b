/**
 * `quickdraw-tfjs download`: fetch and unpack the Quick, Draw! tutorial dataset into the cache,
 * with progress on stderr and the dataset's location on stdout.
 * @module
 */
import {parseArgs} from 'node:util';
import {DownloadError} from '../download-error.js';
import {
  type DownloadProgress,
  type DownloadQuickdrawOptions,
  defaultCacheDir,
  downloadQuickdraw,
  QUICKDRAW_TUTORIAL_URL,
} from '../download.js';

/** The one-line description shown by `quickdraw-tfjs --help`. */
export const summary = 'download and unpack the Quick, Draw! tutorial dataset (about 1 GB, resumable)';

const USAGE = `usage: quickdraw-tfjs download [options]

Downloads ${QUICKDRAW_TUTORIAL_URL}
(1,065,301,781 bytes), checks its size, unpacks it and prints where the shards are.
An interrupted download resumes where it stopped when run again; a finished one is not fetched again.

options:
  --cache-dir <dir>       where to keep the dataset (default: ${defaultCacheDir()};
                          also set by $QUICKDRAW_TFJS_CACHE)
  --url <url>             the archive's URL (default: the tutorial dataset)
  --expected-bytes <n>    the archive's size to check (default: known for the default URL,
                          else the server's Content-Length)
  --retries <n>           extra attempts after a network error, each resuming (default: 3)
  --keep-archive          keep the .tar.gz after unpacking
  --json                  print the dataset's files as JSON
  -q, --quiet             no progress on stderr
  -h, --help              show this help

The Quick, Draw! data is made available by Google under CC BY 4.0.`;

function formatBytes(n: number): string {
  if (n < 1e3) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}

function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/**
 * One progress line: bytes so far (of the total), percentage, rate and time left when known, e.g.
 * `412.3 MB / 1.07 GB  38.7%  12.4 MB/s  ETA 1:05`.
 */
export function formatProgress(p: DownloadProgress): string {
  const parts = [p.totalBytes === undefined ? formatBytes(p.receivedBytes) : `${formatBytes(p.receivedBytes)} / ${formatBytes(p.totalBytes)}`];
  if (p.totalBytes !== undefined && p.totalBytes > 0) {
    parts.push(`${((100 * p.receivedBytes) / p.totalBytes).toFixed(1)}%`);
  }
  parts.push(`${(p.bytesPerSec / 1e6).toFixed(1)} MB/s`);
  if (p.totalBytes !== undefined && p.bytesPerSec > 0) {
    parts.push(`ETA ${formatDuration(Math.max(0, p.totalBytes - p.receivedBytes) / p.bytesPerSec)}`);
  } else if (p.totalBytes !== undefined) {
    parts.push('ETA --:--');
  }
  return parts.join('  ');
}

/** A progress printer: rewrites one line on a terminal, prints a line every 5 % (or 50 MB) otherwise. */
function progressPrinter(): {report: (p: DownloadProgress) => void; end: () => void} {
  const tty = process.stderr.isTTY === true;
  let lastStep = -1;
  let open = false;
  return {
    report(p) {
      if (tty) {
        process.stderr.write(`\r\x1b[Kdownload: ${formatProgress(p)}`);
        open = true;
        return;
      }
      const step =
        p.totalBytes !== undefined && p.totalBytes > 0
          ? Math.floor((20 * p.receivedBytes) / p.totalBytes)
          : Math.floor(p.receivedBytes / 50e6);
      if (step === lastStep) return;
      lastStep = step;
      process.stderr.write(`download: ${formatProgress(p)}\n`);
    },
    end() {
      if (open) process.stderr.write('\n');
      open = false;
    },
  };
}

function parseCount(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new Error(`download: --${name} must be a whole number, got '${text}'`);
  return Number(text);
}

/**
 * Runs `quickdraw-tfjs download` with `argv` (the arguments after the subcommand); resolves to the
 * exit code: 0 done, 1 failed, 2 bad arguments, 130 interrupted (run again to resume).
 *
 * ```ts
 * process.exitCode = await run(['--cache-dir', './data', '--keep-archive']);
 * ```
 */
export async function run(argv: string[]): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  function parse(args: string[]) {
    return parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        'cache-dir': {type: 'string'},
        url: {type: 'string'},
        'expected-bytes': {type: 'string'},
        retries: {type: 'string'},
        'keep-archive': {type: 'boolean'},
        json: {type: 'boolean'},
        quiet: {type: 'boolean', short: 'q'},
        help: {type: 'boolean', short: 'h'},
      },
    });
  }
  const options: DownloadQuickdrawOptions = {};
  try {
    values = parse(argv).values;
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const expectedBytes = parseCount('expected-bytes', values['expected-bytes']);
    const retries = parseCount('retries', values.retries);
    if (values['cache-dir'] !== undefined) options.cacheDir = values['cache-dir'];
    if (values.url !== undefined) {
      const protocol = URL.canParse(values.url) ? new URL(values.url).protocol : '';
      if (protocol !== 'http:' && protocol !== 'https:') {
        throw new Error(`download: --url must be an http or https URL, got '${values.url}'`);
      }
      options.url = values.url;
    }
    if (expectedBytes !== undefined) options.expectedBytes = expectedBytes;
    if (retries !== undefined) options.retries = retries;
    if (values['keep-archive']) options.keepArchive = true;
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return 2;
  }

  const printer = progressPrinter();
  let worked = false;
  options.onExtract = (archive) => {
    worked = true;
    printer.end();
    if (!values.quiet) console.error(`download: unpacking ${archive}`);
  };
  options.onProgress = (p) => {
    worked = true;
    if (!values.quiet) printer.report(p);
  };
  options.onWaitForLock = (pid) => {
    if (!values.quiet) console.error(`download: waiting for process ${pid}, which is downloading into the same cache`);
  };
  const controller = new AbortController();
  const onSigint = (): void => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  options.signal = controller.signal;
  try {
    const files = await downloadQuickdraw(options);
    printer.end();
    if (values.json) {
      console.log(JSON.stringify(files, null, 2));
    } else {
      console.log(files.dir);
      if (!values.quiet) {
        if (!worked) console.error('download: already downloaded and unpacked, nothing to fetch');
        console.error(
          `download: ${files.trainFiles.length} training and ${files.evalFiles.length} eval shards, ` +
            `classes in ${files.trainClassesFile}`,
        );
      }
    }
    return 0;
  } catch (err) {
    printer.end();
    if (err instanceof DownloadError && err.code === 'aborted') {
      console.error(`${err.message}\ndownload: run the same command again to resume`);
      return 130;
    }
    console.error(err instanceof Error ? err.message : String(err));
    if (err instanceof DownloadError && err.retryable) {
      console.error('download: run the same command again to resume');
    }
    return 1;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
