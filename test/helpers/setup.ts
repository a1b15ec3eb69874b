// Picks the tfjs backend for the whole test run. The library never imports a backend: only tests,
// benchmarks and examples do. QDT_BACKEND=wasm|cpu (default cpu: portable and deterministic).
import {initBackend} from './backend.js';

await initBackend(process.env.QDT_BACKEND === 'wasm' ? 'wasm' : 'cpu');
