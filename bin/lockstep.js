#!/usr/bin/env node
// The `lockstep` command: runs the bundled CLI (built by `npm run build`, which `npm install` consumers get prebuilt), compiled from V8's code cache after the first run.
require('./code-cache.js').requireCached(require.resolve('../dist/cli.js')).cliMain();
