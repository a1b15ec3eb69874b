// Real drawings on the cpu backend, with a narrow model of the notebook's conv stack (kernels 5, 5, 3,
// stride 2: the same 21-step receptive field) so the run stays short on the slow backend.
import {initBackend} from '../helpers/backend.js';
import {realDrawingSuite} from './real-drawings.js';

await initBackend('cpu');
realDrawingSuite('cpu', {convFilters: [8, 8, 8], convKernelSizes: [5, 5, 3], lstmUnits: 8});
