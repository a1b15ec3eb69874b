// Builds the browser example. The page imports the library by its package name (`quickdraw-tfjs/sketch`,
// ...), which Vite resolves through package.json's `exports` map to the built `dist/` files, exactly
// as in an app that installed the package. The plugin below makes that a checked fact: a
// `quickdraw-tfjs` import that resolves anywhere but `dist/` (say, to `src/`) fails the build.
// Run `npm run build` at the repository root first (or `node scripts/browser-build.mjs`).
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {defineConfig, type Plugin} from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
const packageDist = path.resolve(here, '../../dist') + path.sep;

function libraryFromPackageExports(): Plugin {
  return {
    name: 'quickdraw-tfjs-from-package-exports',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (source !== 'quickdraw-tfjs' && !source.startsWith('quickdraw-tfjs/')) return null;
      const resolved = await this.resolve(source, importer, {...options, skipSelf: true});
      if (resolved === null) {
        throw new Error(`${source}: not resolved through package.json exports (run \`npm run build\` first?)`);
      }
      if (!resolved.id.startsWith(packageDist)) {
        throw new Error(`${source}: resolved to ${resolved.id}, not to the package's built dist/`);
      }
      return resolved;
    },
  };
}

/**
 * Cross-origin isolation (COOP + COEP): without it a page has no SharedArrayBuffer, and
 * tfjs-backend-wasm then runs its single-threaded build; with it the threaded SIMD build runs on
 * `navigator.hardwareConcurrency` threads (the page shows the count). Everything the page loads is
 * same-origin, so `require-corp` costs nothing here; a production host must send the same headers.
 */
const crossOriginIsolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: here,
  server: {headers: crossOriginIsolation},
  preview: {headers: crossOriginIsolation},
  base: './',
  plugins: [libraryFromPackageExports()],
  worker: {format: 'es', plugins: () => [libraryFromPackageExports()]},
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The page, and the measurement page comparing training in a Web Worker with yielding.
    rollupOptions: {input: {main: path.join(here, 'index.html'), workerVsYield: path.join(here, 'worker-vs-yield.html')}},
    target: 'es2022',
    chunkSizeWarningLimit: 8192,
    // Not minified: tfjs-backend-wasm starts its threads by sending the source text of its emscripten
    // factory (`toString()`) to each worker, where the factory's closure is gone; the source guards
    // its one closure variable with `typeof _scriptDir !== 'undefined'`, and the minifier, which sees
    // the variable defined, drops that guard, so every wasm thread died with `e is not defined`.
    minify: false,
  },
});
