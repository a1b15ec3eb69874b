import {describe, expect, it} from 'vitest';
import {
  createRecordWriter,
  decodeRecords,
  encodeRecord,
  encodeRecords,
  readRecords,
  type RecordSink,
  TFRecordError,
} from '../../src/tfrecord/index.js';
import {blob, caught, collect, concat, EMPTY_RECORD, FOO_RECORD, randomBytes, sameBytes, toHex, utf8} from './util.js';

function memorySink(): RecordSink & {chunks: Uint8Array[]; closed: boolean; aborted: unknown} {
  const sink = {
    chunks: [] as Uint8Array[],
    closed: false,
    aborted: undefined as unknown,
    write(chunk: Uint8Array) {
      sink.chunks.push(chunk);
    },
    close() {
      sink.closed = true;
    },
    abort(reason?: unknown) {
      sink.aborted = reason;
    },
  };
  return sink;
}

describe('encodeRecord / encodeRecords', () => {
  it('frames the known records byte for byte', () => {
    expect(toHex(encodeRecord(new Uint8Array(0)))).toBe(toHex(EMPTY_RECORD));
    expect(toHex(encodeRecord(utf8('foo')))).toBe(toHex(FOO_RECORD));
    expect(toHex(encodeRecords([new Uint8Array(0), utf8('foo')]))).toBe(toHex(concat([EMPTY_RECORD, FOO_RECORD])));
    expect(toHex(encodeRecords((function* () { yield utf8('foo'); })()))).toBe(toHex(FOO_RECORD));
    expect(encodeRecords([])).toEqual(new Uint8Array(0));
  });

  it('rejects a payload that is not a Uint8Array', () => {
    expect(() => encodeRecord('foo' as unknown as Uint8Array)).toThrow(
      new TFRecordError('invalid-input', 'tfrecord: a record payload must be a Uint8Array, got string'),
    );
  });

  it('round-trips 100,000 records in memory', async () => {
    const payloads = Array.from({length: 100_000}, (_, i) => randomBytes(i % 97, i + 1));
    const file = encodeRecords(payloads);
    const back = decodeRecords(file);
    expect(back).toHaveLength(100_000);
    for (let i = 0; i < back.length; i += 1) {
      if (!sameBytes(back[i]!, payloads[i]!)) expect.fail(`record ${i} differs`);
    }
    const sink = memorySink();
    const writer = createRecordWriter(sink);
    for (const p of payloads) await writer.write(p);
    await writer.close();
    expect(writer.records).toBe(100_000);
    expect(writer.bytes).toBe(file.length);
    expect(sameBytes(concat(sink.chunks), file)).toBe(true);
    let i = 0;
    for await (const record of readRecords(blob(sink.chunks))) {
      if (!sameBytes(record, payloads[i]!)) expect.fail(`record ${i} differs`);
      i++;
    }
    expect(i).toBe(100_000);
  });
});

describe('createRecordWriter', () => {
  it('gathers small records into chunks of about chunkBytes and sends big ones alone, in order', async () => {
    const sink = memorySink();
    const writer = createRecordWriter(sink, {chunkBytes: 100});
    const payloads = [randomBytes(30, 1), randomBytes(30, 2), randomBytes(30, 3), randomBytes(500, 4), randomBytes(1, 5)];
    for (const p of payloads) await writer.write(p);
    expect(sink.chunks.map((c) => c.length)).toEqual([92, 46, 516]);
    await writer.close();
    expect(sink.chunks.map((c) => c.length)).toEqual([92, 46, 516, 17]);
    expect(sink.closed).toBe(true);
    expect(decodeRecords(concat(sink.chunks)).map(toHex)).toEqual(payloads.map(toHex));
  });

  it('copies the payload at write time, so the caller may reuse it', async () => {
    const sink = memorySink();
    const writer = createRecordWriter(sink);
    const buffer = utf8('aaaa');
    await writer.write(buffer);
    buffer.fill(0x62);
    await writer.write(buffer);
    await writer.close();
    expect(decodeRecords(concat(sink.chunks)).map((r) => new TextDecoder().decode(r))).toEqual(['aaaa', 'bbbb']);
  });

  it('writes into a WritableStream', async () => {
    const chunks: Uint8Array[] = [];
    let closed = false;
    const stream = new WritableStream<Uint8Array>({
      write: (chunk) => void chunks.push(chunk),
      close: () => {
        closed = true;
      },
    });
    const writer = createRecordWriter(stream, {compression: 'gzip'});
    await writer.write(utf8('foo'));
    await writer.close();
    expect(closed).toBe(true);
    expect((await collect(readRecords(blob(chunks)))).map(toHex)).toEqual([toHex(utf8('foo'))]);
  });

  it('aborts: drops buffered records, aborts the sink, and refuses later writes', async () => {
    const sink = memorySink();
    const writer = createRecordWriter(sink);
    await writer.write(utf8('lost'));
    const reason = new Error('stop');
    await writer.abort(reason);
    expect(sink.chunks).toEqual([]);
    expect(sink.aborted).toBe(reason);
    expect(await caught(() => writer.write(utf8('x')))).toEqual(new TypeError('tfrecord: the record writer is aborted'));
    expect(await caught(() => writer.close())).toEqual(new TypeError('tfrecord: the record writer is aborted'));
  });

  it('reports a failing sink on the next write or close, and close is idempotent', async () => {
    const boom = new Error('disk full');
    const writer = createRecordWriter(
      {
        write() {
          throw boom;
        },
      },
      {chunkBytes: 20},
    );
    await writer.write(utf8('a'));
    expect(await caught(() => writer.write(utf8('bbbbbbbbbb')))).toBe(boom);
    expect(await caught(() => writer.write(utf8('c')))).toBe(boom);
    const ok = createRecordWriter(memorySink());
    await ok.close();
    await ok.close();
    expect(await caught(() => ok.write(utf8('late')))).toEqual(new TypeError('tfrecord: the record writer is closed'));
  });

  it('rejects bad options', () => {
    expect(() => createRecordWriter(memorySink(), {compression: 'lz4' as 'gzip'})).toThrow(
      new TFRecordError('invalid-options', "tfrecord: compression must be 'none', 'gzip' or 'zlib', got lz4"),
    );
    expect(() => createRecordWriter(memorySink(), {chunkBytes: 0})).toThrow(
      new TFRecordError('invalid-options', 'tfrecord: chunkBytes must be a positive integer, got 0'),
    );
    expect(() => createRecordWriter({} as RecordSink)).toThrow(
      new TFRecordError('invalid-input', 'tfrecord: a record sink must be a WritableStream or have a write(chunk) method'),
    );
  });
});
