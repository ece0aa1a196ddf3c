#!/usr/bin/env node
// The CLI runs the TypeScript sources directly through tsx: no build step between a clone and a start.
require('tsx/cjs');
require('../core/cli/main.ts');
