import {defineConfig} from 'vitest/config';

/**
 * tfjs-backend-cpu's one-time advice, printed on its first tensor in every Node process (so once per
 * test file): "Hi, looks like you are running TensorFlow.js in Node.js. To speed things up dramatically,
 * install our node backend...". It is advice to users, not a finding of a test; every other line a test
 * prints is kept. (tfjs's own flags would mute it too, but `IS_TEST` also turns on a kernel leak check
 * that misfires inside custom-gradient scopes, and `PROD` mutes every tfjs warning.)
 */
const TFJS_NODE_BANNER = 'looks like you are running TensorFlow.js in Node.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/helpers/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    onConsoleLog: (log) => !log.includes(TFJS_NODE_BANNER),
  },
});
