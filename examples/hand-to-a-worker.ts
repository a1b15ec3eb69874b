// hand-to-a-worker: give record bytes and decoded ink to a worker thread by transfer (moved, not
// copied) while this thread reads and decodes on.
//
// Shows: what `readRecords` and `decodeExample` hand out is yours. Each payload and each decoded value
// has an ArrayBuffer of its own, so `postMessage(value, [value.buffer])` moves exactly its bytes to the
// worker and the reader and decoder carry on; the zero-copy `{views: true}` opt-in is for loops that
// only look at each record in place (the rule: slice() whatever you keep, send, transfer or change).
//
// Run:   npx tsx examples/hand-to-a-worker.ts [--records N]
// The worker here is a few lines of plain JavaScript that sums what it receives; in a browser it would
// be a `new Worker(url)` and the same `postMessage` calls.
import {parseArgs} from 'node:util';
import {Worker} from 'node:worker_threads';
import {decodeExample, encodeExample} from 'quickdraw-tfjs/example';
import {encodeRecords, readRecords} from 'quickdraw-tfjs/tfrecord';
import {runExample} from './common.js';

const WORKER = `
const {parentPort} = require('node:worker_threads');
let records = 0, recordBytes = 0, inks = 0, points = 0;
parentPort.on('message', (m) => {
  if (m.kind === 'record') { records++; recordBytes += m.bytes.length; }
  else if (m.kind === 'ink') { inks++; points += m.values.length / 3; }
  else parentPort.postMessage({records, recordBytes, inks, points});
});
`;

await runExample('hand-to-a-worker', async () => {
  const {values} = parseArgs({options: {records: {type: 'string', default: '1000'}}});
  const count = Number(values.records);

  // A TFRecord file of QuickDraw-like Examples, in memory: sketch i has 10 + (i % 50) points.
  const examples = Array.from({length: count}, (_, i) => {
    const n = 10 + (i % 50);
    const ink = new Float32Array(3 * n).map((_, k) => (k % 3 === 2 ? (k === 3 * n - 1 ? 1 : 0) : ((i + k) % 7) - 3));
    return encodeExample({ink, shape: {kind: 'int64', values: [n, 3]}, class_index: {kind: 'int64', values: [i % 3]}});
  });
  const file = encodeRecords(examples);

  const worker = new Worker(WORKER, {eval: true});
  try {
    let sentRecords = 0;
    let sentInks = 0;
    let points = 0;
    let i = 0;
    for await (const record of readRecords(file)) {
      // Decode first (the record is ours to keep using), then hand things over.
      const ink = decodeExample(record)['ink'];
      if (ink?.kind !== 'float') throw new Error('not a QuickDraw record');
      points += ink.values.length / 3;
      if (i % 2 === 0) {
        worker.postMessage({kind: 'ink', values: ink.values}, [ink.values.buffer as ArrayBuffer]); // 12 bytes a point travel
        sentInks++;
      } else {
        worker.postMessage({kind: 'record', bytes: record}, [record.buffer as ArrayBuffer]); // the record's bytes alone
        sentRecords++;
      }
      i++;
    }
    const summary = await new Promise<{records: number; recordBytes: number; inks: number; points: number}>((resolve) => {
      worker.once('message', resolve);
      worker.postMessage({kind: 'done'});
    });
    console.log(`read and decoded ${i} records here (${points} points), moving half the inks and half the records to the worker`);
    console.log(`worker got ${summary.inks} inks (${summary.points} points) and ${summary.records} records (${summary.recordBytes} bytes); sent ${sentInks} and ${sentRecords}`);

    // A hot loop that only looks at each record: views, no allocation per record or feature.
    let classes = 0;
    for await (const view of readRecords(file, {views: true})) {
      const label = decodeExample(view, {views: true})['class_index'];
      if (label?.kind === 'int64') classes = Math.max(classes, label.values.get(0).toNumber() + 1);
    }
    console.log(`views pass: ${classes} classes`);
  } finally {
    await worker.terminate();
  }
});
