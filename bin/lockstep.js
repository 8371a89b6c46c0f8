#!/usr/bin/env node
// The `lockstep` command: runs the bundled CLI (build it first with `npm run build`).
require('../dist/cli.js');
