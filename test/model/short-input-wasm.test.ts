// The short-input checks on the wasm backend, where a conv with a negative output length used to
// corrupt the module's memory (every later call failed with "memory access out of bounds").
import {initBackend} from '../helpers/backend.js';
import {shortInputSuite} from './short-input.js';

await initBackend('wasm');
shortInputSuite('wasm');
