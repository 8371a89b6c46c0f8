#!/usr/bin/env node
// The `lockstep` command: runs the bundled CLI (built by `npm run build`, which `npm install` consumers get prebuilt).
require('../dist/cli.js').cliMain();
