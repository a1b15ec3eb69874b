// The short-input checks on the test run's backend (cpu by default); short-input-wasm.test.ts runs them on wasm.
import * as tf from '@tensorflow/tfjs-core';
import {shortInputSuite} from './short-input.js';

shortInputSuite(tf.getBackend());
