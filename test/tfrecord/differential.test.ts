// Differential tests against the two npm TFRecord packages (independent implementations): files they
// write must read back with our reader, and our files must read back with theirs.
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {createRequire} from 'node:module';
import os from 'node:os';
import path from 'node:path';
import {RecordReader, RecordWriter} from 'tfrecord';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {decodeRecords, encodeRecords, readRecords} from '../../src/tfrecord/index.js';
import {collect, randomBytes, toHex} from './util.js';

const require = createRequire(import.meta.url);

interface RoboflowBuilder {
  addFeature(key: string, type: number, value: unknown): void;
  addArrayFeature(key: string, type: number, values: unknown[]): void;
  build(): Uint8Array;
}
const roboflow = require('@roboflow/tfrecords') as {
  TFRecordsBuilder: (new () => RoboflowBuilder) & {buildTFRecords(records: Uint8Array[]): Uint8Array};
  FeatureType: {String: number; Int64: number; Float: number};
};
const {TFRecordsReader} = require('@roboflow/tfrecords/src/tensorFlowReader.js') as {
  TFRecordsReader: new (
    bytes: Buffer,
  ) => {length: number; toArray(): {context: {featureMap: [string, unknown][]}}[]};
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tfrecord-diff-'));
});
afterAll(async () => {
  await rm(dir, {recursive: true, force: true});
});

const PAYLOADS = [new Uint8Array(0), ...Array.from({length: 40}, (_, i) => randomBytes(1 + ((i * 131) % 2000), i + 3))];

describe('npm package `tfrecord` (pwnall/tfrecord 0.2.0)', () => {
  it('reads the TensorFlow-written data.tfrecord it ships', async () => {
    const file = await readFile(require.resolve('tfrecord/data.tfrecord'));
    const records = decodeRecords(file, {name: 'data.tfrecord'});
    expect(records.map((r) => r.length)).toEqual([52]);
    // A tf.train.Example with features answer (int64 42), pi (float), name (bytes "ABC").
    expect(new TextDecoder('latin1').decode(records[0]!)).toContain('answer');
  });

  it('its RecordWriter output reads back with our reader', async () => {
    const file = path.join(dir, 'theirs.tfrecord');
    const writer = await RecordWriter.create(file);
    for (const p of PAYLOADS) await writer.writeRecord(Buffer.from(p));
    await writer.close();
    const got = await collect(readRecords(await readFile(file)));
    expect(got.map(toHex)).toEqual(PAYLOADS.map(toHex));
  });

  it('our files read back with its RecordReader', async () => {
    const file = path.join(dir, 'ours.tfrecord');
    await writeFile(file, encodeRecords(PAYLOADS));
    const reader = await RecordReader.create(file);
    const got: string[] = [];
    for (;;) {
      const record = await reader.readRecord();
      if (record === null) break;
      got.push(toHex(record)); // copied at once: its buffer is reused by the next read
    }
    await reader.close();
    expect(got).toEqual(PAYLOADS.map(toHex));
  });
});

describe('npm package `@roboflow/tfrecords` 1.0.4', () => {
  function examples(): Uint8Array[] {
    return Array.from({length: 5}, (_, i) => {
      const builder = new roboflow.TFRecordsBuilder();
      builder.addFeature('class_index', roboflow.FeatureType.Int64, i * 7);
      builder.addArrayFeature('ink', roboflow.FeatureType.Float, [0.5, i, 1]);
      builder.addFeature('word', roboflow.FeatureType.String, `cat ${i}`);
      return builder.build();
    });
  }

  it('its buildTFRecords output reads back with our reader', async () => {
    const payloads = examples();
    const file = roboflow.TFRecordsBuilder.buildTFRecords(payloads);
    expect((await collect(readRecords(file))).map(toHex)).toEqual(payloads.map(toHex));
  });

  it('our files read back with its TFRecordsReader (through toArray: its getFeature throws)', () => {
    const payloads = examples();
    const reader = new TFRecordsReader(Buffer.from(encodeRecords(payloads)));
    expect(reader.length).toBe(5);
    reader.toArray().forEach((message, i) => {
      expect(new Map(message.context.featureMap).get('class_index')).toEqual({int64List: {valueList: [i * 7]}});
    });
  });
});
