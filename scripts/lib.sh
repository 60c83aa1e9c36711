# shellcheck shell=bash
# Shared by scripts/test and scripts/demo: the project-local Python environment that holds the
# pinned local AWS API server (moto) and its CBOR bridge's codec. Sourced, not run.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.tools/venv"
REQS="$ROOT/tests/support/requirements.txt"
LOCK="$ROOT/tests/support/requirements.lock"

# Creates .tools/venv and installs the pinned packages, unless the same pins are already there.
ensure_venv() {
  local stamp="$VENV/.installed" want
  want="$(cat "$REQS" "$LOCK" | sha256sum | cut -d' ' -f1)"
  if [ -x "$VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  command -v python3 >/dev/null || { echo "error: python3 is needed for the local AWS API server; install Python 3.9 or newer" >&2; exit 1; }
  echo "==> installing the local AWS API server into .tools/venv (pinned versions)" >&2
  rm -rf "$VENV"
  python3 -m venv "$VENV" || { echo "error: \`python3 -m venv\` failed; install your distribution's python3-venv package" >&2; exit 1; }
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQS" -c "$LOCK"
  echo "$want" > "$stamp"
}

# Installs Debian's chromium when it is missing: the HTML report's browser test loads pages in it
# (headless). Fails with one line when it cannot be installed.
ensure_chromium() {
  command -v chromium >/dev/null && return 0
  echo "==> installing chromium for the HTML report's browser test (apt-get install chromium)" >&2
  if ! { command -v apt-get >/dev/null \
      && apt-get update -qq \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >"$ROOT/.tools/chromium-install.log" 2>&1; then
    echo "error: chromium is missing and could not be installed (see .tools/chromium-install.log); install Debian's chromium package as root (apt-get install chromium)" >&2
    exit 1
  fi
}

# Starts the local AWS API server on a free loopback port; sets SERVER_URL and SERVER_PID.
# The server stops by itself when this shell exits (it watches the pipe on its stdin).
start_server() {
  local out="$ROOT/.tools/server.out"
  mkdir -p "$ROOT/.tools"
  exec {SERVER_STDIN}> >(exec "$VENV/bin/python" "$ROOT/tests/support/moto_server.py" --exit-on-stdin-eof > "$out" 2>"$ROOT/.tools/server.log")
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    if [ -s "$out" ]; then
      SERVER_URL="$(sed -n 's/^listening on //p' "$out")"
      [ -n "$SERVER_URL" ] && return 0
    fi
    sleep 0.1
  done
  echo "error: the local AWS API server did not start; see .tools/server.log" >&2
  exit 1
}
