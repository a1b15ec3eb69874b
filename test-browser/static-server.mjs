// A minimal static file server for the browser test: serves directories on 127.0.0.1 at an ephemeral
// port, with the content types a browser insists on (application/wasm for streaming compilation), and
// cross-origin isolated (COOP + COEP, as the example's vite.config.ts serves it), so the wasm backend
// gets SharedArrayBuffer and runs its threaded build.
import {createReadStream} from 'node:fs';
import {stat} from 'node:fs/promises';
import {createServer} from 'node:http';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.classes': 'text/plain; charset=utf-8',
};

/**
 * Serves `mounts` (URL prefix → directory, e.g. `{'/': dist, '/fixtures/': dir}`) and resolves to
 * `{url, close, requests}`; `requests` lists every `METHOD path status` served, for diagnostics.
 * `crossOriginIsolated: false` leaves out the COOP/COEP headers (to compare wasm without threads).
 */
export async function serveStatic(mounts, {crossOriginIsolated = true} = {}) {
  const isolation = crossOriginIsolated
    ? {'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp'}
    : {};
  const entries = Object.entries(mounts).sort((a, b) => b[0].length - a[0].length);
  const requests = [];
  const server = createServer(async (req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    const send = (status, body) => {
      requests.push(`${req.method} ${pathname} ${status}`);
      res.writeHead(status, {'content-type': 'text/plain; charset=utf-8'});
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed');
    const mount = entries.find(([prefix]) => pathname.startsWith(prefix));
    if (mount === undefined) return send(404, 'not found');
    const [prefix, dir] = mount;
    let file = path.resolve(dir, `./${pathname.slice(prefix.length)}`);
    if (file !== dir && !file.startsWith(dir + path.sep)) return send(403, 'forbidden');
    try {
      let info = await stat(file);
      if (info.isDirectory()) {
        file = path.join(file, 'index.html');
        info = await stat(file);
      }
      requests.push(`${req.method} ${pathname} 200`);
      res.writeHead(200, {
        'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        'content-length': info.size,
        // Not `no-store`: Chromium can report a `no-store` fetch whose body a page read to the end
        // with a stream reader as failed (net::ERR_ABORTED), which made 'opens the same records
        // uncompressed from a URL' fail now and then with every record shown (playwright issue
        // #42742 describes the same). Each test runs in a fresh context, so nothing is cached across
        // tests anyway; `no-cache` still makes the browser revalidate within one.
        'cache-control': 'no-cache',
        ...isolation,
      });
      if (req.method === 'HEAD') return res.end();
      createReadStream(file).pipe(res);
    } catch {
      send(404, 'not found');
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const {port} = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
