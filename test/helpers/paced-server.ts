// A real HTTP server on 127.0.0.1 that sends a body slowly (16 KiB every 2 ms), so that a client that
// stops reading early must abort the response to be done with it; it records how each response ended.
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';

export interface PacedServer {
  /** `http://127.0.0.1:PORT`. */
  readonly base: string;
  /** Responses still being sent. */
  readonly open: Set<number>;
  /** Responses the client closed before their end, and ones sent whole. */
  readonly aborted: number[];
  readonly completed: number[];
  /** Waits (bounded, 4 s) until no response is still open. */
  drained(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Serves `body` at every path except `/`, an empty HTML page (an origin for a browser test), and
 * `/favicon.ico`, which is not found.
 */
export async function startPacedServer(body: Uint8Array): Promise<PacedServer> {
  const open = new Set<number>();
  const aborted: number[] = [];
  const completed: number[] = [];
  let nextId = 0;
  const server: Server = createServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, {'content-type': 'text/html'});
      res.end('<!doctype html><title>paced</title>');
      return;
    }
    if (req.url === '/favicon.ico') {
      res.writeHead(404).end();
      return;
    }
    const id = nextId++;
    open.add(id);
    res.writeHead(200, {'content-type': 'application/octet-stream', 'content-length': String(body.length)});
    let at = 0;
    const pump = () => {
      if (res.destroyed) return;
      if (at >= body.length) {
        res.end();
        return;
      }
      const chunk = body.subarray(at, at + 16 * 1024);
      at += chunk.length;
      res.write(chunk);
      setTimeout(pump, 2);
    };
    res.on('close', () => {
      open.delete(id);
      (res.writableFinished ? completed : aborted).push(id);
    });
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    open,
    aborted,
    completed,
    async drained() {
      for (let i = 0; i < 200 && open.size > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
