// Real drawings on the wasm backend with the default model (the notebook's architecture), every
// drawing alone and in batches: where a too-short input used to corrupt the backend's memory.
import {initBackend} from '../helpers/backend.js';
import {realDrawingSuite} from './real-drawings.js';

await initBackend('wasm');
realDrawingSuite('wasm', {});
