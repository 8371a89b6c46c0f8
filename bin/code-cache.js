// Loads a CommonJS bundle of dist/ through V8's code cache: the first run compiles it and leaves the compiled code in a cache folder, later runs skip compiling.
//
// Node 20 has no module.enableCompileCache (22+), so this does the same by hand: the bundle is
// wrapped as require() would wrap it, compiled by vm.Script with the cached data, and run as a
// module. The cache is keyed by the bundle's content and node's version (V8 also refuses data made
// by another V8: then the file is written again). It is only ever an optimisation: a folder that
// cannot be read or written, a cache file that is corrupt or stale, all fall back to compiling.
// One file per bundle name is kept (a new build replaces the old one), so the folder stays small
// and is safe to delete. LOCKSTEP_CODE_CACHE=0 turns it off; LOCKSTEP_CACHE_DIR moves it.
'use strict';

const { createHash } = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');
const vm = require('node:vm');

/** The cache folder, or null when caching is off. */
function cacheDir() {
  if (process.env.LOCKSTEP_CODE_CACHE === '0') return null;
  if (process.env.LOCKSTEP_CACHE_DIR) return process.env.LOCKSTEP_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'lockstep', 'code');
}

function readOrNull(file) {
  try {
    return fs.readFileSync(file);
  } catch {
    return null;
  }
}

/** Writes `data` to `file` through a temporary name (a reader never sees half a file); drops older caches of the same bundle. */
function store(dir, file, data, stem) {
  try {
    fs.mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
    for (const f of fs.readdirSync(dir)) {
      if (f.startsWith(`${stem}-`) && path.join(dir, f) !== file && !f.endsWith('.tmp')) fs.rmSync(path.join(dir, f), { force: true });
    }
  } catch {
    // an optimisation only: the next run compiles again
  }
}

/** How the last requireCached went: 'hit' (compiled from the cache), 'miss', 'rejected' (stale or corrupt), 'off'. */
const lastLoad = { cache: 'off' };

/** require(`file`) for a bundle of dist/, compiled from the code cache when one is there. */
function requireCached(file) {
  const dir = cacheDir();
  const source = dir === null ? null : readOrNull(file);
  if (source === null) {
    lastLoad.cache = 'off';
    return require(file);
  }
  const stem = path.basename(file, '.js');
  const key = createHash('sha1').update(source).update(process.version).update(process.arch).digest('hex').slice(0, 16);
  const cacheFile = path.join(dir, `${stem}-${key}.v8`);
  const cached = readOrNull(cacheFile);
  const script = new vm.Script(Module.wrap(source.toString('utf8')), { filename: file, cachedData: cached ?? undefined });
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  Module._cache[file] = mod;
  lastLoad.cache = cached === null ? 'miss' : script.cachedDataRejected === true ? 'rejected' : 'hit';
  if (lastLoad.cache !== 'hit') {
    // At exit the cache also holds the functions this run compiled lazily (most of what a run needs).
    process.once('exit', () => store(dir, cacheFile, script.createCachedData(), stem));
  }
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  return mod.exports;
}

module.exports = { requireCached, lastLoad };
