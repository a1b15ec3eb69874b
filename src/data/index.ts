/**
 * `quickdraw-tfjs/data` (browser-safe): the QuickDraw tutorial TFRecords as training batches.
 * `splitTutorialFiles` and `parseClassNames` read the tutorial's file layout.
 * @module
 */
export {DataError} from './errors.js';
export type {DataErrorCode, DataErrorContext} from './errors.js';
export {parseClassNames, splitTutorialFiles} from './tutorial-files.js';
export type {TutorialFile, TutorialSplit} from './tutorial-files.js';
