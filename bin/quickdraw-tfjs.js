#!/usr/bin/env node
// The installed CLI: runs the built command-line entry (npm run build first in a checkout).
import {main} from '../dist/node/cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  },
);
