#!/usr/bin/env node
// The package's bin: runs the TypeScript CLI through tsx so no build step stands between a clone and the command.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
