export {DownloadError} from './download-error.js';
export type {DownloadErrorCode, DownloadErrorDetails} from './download-error.js';
export {
  defaultCacheDir,
  downloadQuickdraw,
  findQuickdrawFiles,
  QUICKDRAW_MARKER_FILE,
  QUICKDRAW_TUTORIAL_BYTES,
  QUICKDRAW_TUTORIAL_URL,
} from './download.js';
export type {DownloadProgress, DownloadQuickdrawOptions, FetchFunction, QuickdrawFiles} from './download.js';
