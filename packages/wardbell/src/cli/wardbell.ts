#!/usr/bin/env node
/** The `wardbell` command (`npx wardbell <command>`); see `run` for the commands. */
import { runCli } from './index.js';

runCli(process.argv.slice(2), process.env).then(
  (code) => {
    if (code !== null) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`wardbell: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
