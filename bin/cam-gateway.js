#!/usr/bin/env node
// Entry point for `npx cam-gateway`: runs the compiled CLI (built by `npm install` via the prepare script).
import { main } from '../dist/cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
    // Everything is closed by now; never let a stray handle (a stuck port) delay the exit.
    setTimeout(() => process.exit(), 200).unref();
  },
  (err) => {
    console.error(`cam-gateway: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
