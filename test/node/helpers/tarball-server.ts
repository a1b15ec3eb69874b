// Test helpers for the download module: a real HTTP server on 127.0.0.1 that serves one file with
// switchable misbehaviour, and small tarballs built either with the `tar` package from a directory
// (the tutorial layout) or header by header (crafted, hostile entries that `tar.c` will not write).
import {randomBytes} from 'node:crypto';
import {mkdir, mkdtemp, rm, stat, writeFile} from 'node:fs/promises';
import {createServer, type IncomingMessage, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {gzipSync} from 'node:zlib';
import * as tar from 'tar';

/** How the server behaves; tests change it between requests. */
export interface ServerBehaviour {
  /** The file served at any path. */
  body: Uint8Array;
  /** Answer `Range` requests with 206 (true) or ignore them and send 200 with everything (false). */
  honourRange: boolean;
  /** For the next requests, one entry each: destroy the socket after this many body bytes. */
  dropAfter: number[];
  /** Answer every request with this status and a short text body instead of the file. */
  status: number | undefined;
  /** Send the body in pieces of this size, letting the event loop run between them. */
  chunkBytes: number;
  /**
   * Awaited before a dropped connection is destroyed, with the body offset reached; lets a test
   * wait until the client has stored every byte sent (a stream that errors discards queued chunks).
   */
  beforeDrop: ((offset: number) => Promise<void>) | undefined;
  /** Awaited before answering a request (its headers included): lets a test hold a download open. */
  holdUntil: Promise<void> | undefined;
}

/** A request as the server saw it. */
export interface SeenRequest {
  readonly url: string;
  readonly range: string | undefined;
  readonly status: number;
}

export interface TarballServer {
  readonly url: string;
  readonly behaviour: ServerBehaviour;
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

function respond(req: IncomingMessage, res: import('node:http').ServerResponse, b: ServerBehaviour): number {
  if (b.status !== undefined) {
    res.writeHead(b.status, {'content-type': 'text/plain'});
    res.end('no\n');
    return b.status;
  }
  const size = b.body.byteLength;
  let start = 0;
  let status = 200;
  const range = req.headers.range;
  if (range !== undefined && b.honourRange) {
    const m = /^bytes=(\d+)-$/.exec(range);
    if (m === null) throw new Error(`test server: unexpected range ${range}`);
    start = Number(m[1]);
    if (start >= size) {
      res.writeHead(416, {'content-range': `bytes */${size}`});
      res.end();
      return 416;
    }
    status = 206;
  }
  const headers: Record<string, string | number> = {
    'content-type': 'application/gzip',
    'content-length': size - start,
    'accept-ranges': b.honourRange ? 'bytes' : 'none',
  };
  if (status === 206) headers['content-range'] = `bytes ${start}-${size - 1}/${size}`;
  res.writeHead(status, headers);
  const drop = b.dropAfter.shift();
  const end = drop === undefined ? size : Math.min(size, start + drop);
  let pos = start;
  const pump = (): void => {
    if (pos >= end) {
      if (drop === undefined) {
        res.end();
      } else {
        const wait = b.beforeDrop?.(end) ?? Promise.resolve();
        wait.then(
          () => res.socket?.destroy(),
          () => res.socket?.destroy(),
        );
      }
      return;
    }
    const next = Math.min(end, pos + b.chunkBytes);
    const piece = b.body.subarray(pos, next);
    pos = next;
    res.write(piece, () => setImmediate(pump));
  };
  pump();
  return status;
}

/** Starts a server on 127.0.0.1 (ephemeral port) serving `body` at `/<name>`. */
export async function startTarballServer(body: Uint8Array, name = 'quickdraw_tutorial_dataset_v1.tar.gz'): Promise<TarballServer> {
  const behaviour: ServerBehaviour = {
    body,
    honourRange: true,
    dropAfter: [],
    status: undefined,
    chunkBytes: 16 * 1024,
    beforeDrop: undefined,
    holdUntil: undefined,
  };
  const requests: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const answer = () => {
      const status = respond(req, res, behaviour);
      requests.push({url: req.url ?? '', range: req.headers.range, status});
    };
    if (behaviour.holdUntil === undefined) answer();
    else behaviour.holdUntil.then(answer, answer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const {port} = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/data/${name}`,
    behaviour,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A file of a fake tutorial dataset: its name and bytes. */
export interface FakeFile {
  readonly name: string;
  readonly data: Uint8Array;
}

/**
 * Files in the tutorial's layout (docs/download.md) with `shards` training and eval shards of random bytes
 * (incompressible, so the tarball is about `shards * 2 * shardBytes` long) and two `.classes` files.
 */
export function fakeTutorialFiles(shards = 3, shardBytes = 40_000): FakeFile[] {
  const of = String(shards).padStart(5, '0');
  const files: FakeFile[] = [];
  for (const split of ['training', 'eval']) {
    for (let i = 0; i < shards; i++) {
      files.push({name: `${split}.tfrecord-${String(i).padStart(5, '0')}-of-${of}`, data: new Uint8Array(randomBytes(shardBytes))});
    }
  }
  const classes = new TextEncoder().encode('cat\ndog\nThe Eiffel Tower\n');
  files.push({name: 'training.tfrecord.classes', data: classes});
  files.push({name: 'eval.tfrecord.classes', data: classes});
  return files;
}

/** Writes `files` under `prefix` in a temporary directory and packs them with `tar.c` (gzip). */
export async function packWithTar(files: readonly FakeFile[], prefix = ''): Promise<Uint8Array> {
  const src = await mkdtemp(join(tmpdir(), 'qdt-tar-src-'));
  try {
    for (const f of files) {
      const path = join(src, prefix, f.name);
      await mkdir(dirname(path), {recursive: true});
      await writeFile(path, f.data);
    }
    const entries = prefix === '' ? files.map((f) => f.name) : [prefix];
    const chunks: Buffer[] = [];
    const stream = tar.c({gzip: true, cwd: src, portable: true}, entries);
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
    return new Uint8Array(Buffer.concat(chunks));
  } finally {
    await rm(src, {recursive: true, force: true});
  }
}

/** One entry of a hand-built tarball. */
export interface CraftedEntry {
  readonly path: string;
  readonly type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'FIFO';
  readonly linkpath?: string;
  readonly data?: Uint8Array;
}

/** Builds a gzipped tarball header by header, writing paths exactly as given (no sanitising). */
export function craftTarball(entries: readonly CraftedEntry[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const e of entries) {
    const type = e.type ?? 'File';
    const data = type === 'File' ? (e.data ?? new Uint8Array(0)) : new Uint8Array(0);
    const header = new tar.Header({
      path: e.path,
      type,
      ...(e.linkpath === undefined ? {} : {linkpath: e.linkpath}),
      size: data.byteLength,
      mode: type === 'Directory' ? 0o755 : 0o644,
      mtime: new Date(0),
      uid: 0,
      gid: 0,
    });
    const block = new Uint8Array(512);
    header.encode(Buffer.from(block.buffer));
    blocks.push(block);
    if (data.byteLength > 0) {
      const padded = new Uint8Array(Math.ceil(data.byteLength / 512) * 512);
      padded.set(data);
      blocks.push(padded);
    }
  }
  blocks.push(new Uint8Array(1024));
  return new Uint8Array(gzipSync(Buffer.concat(blocks)));
}

/** Resolves once `path` holds `bytes` bytes (polling); rejects after `timeoutMs`. */
export async function waitForSize(path: string, bytes: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const size = await stat(path).then(
      (s) => s.size,
      () => 0,
    );
    if (size >= bytes) return;
    if (Date.now() > deadline) throw new Error(`test server: ${path} stayed at ${size} of ${bytes} bytes`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
