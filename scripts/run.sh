#!/usr/bin/env bash
# One entry point that sets everything up on a fresh machine, then runs what you ask for:
#   bash scripts/run.sh app    serve the chat (http://127.0.0.1:7860), building the index on first start
#   bash scripts/run.sh test   run the whole test suite, browser tests included
# Set-up is idempotent: Debian's chromium for the browser tests, a virtualenv in .venv, torch 2.13.0 (CPU)
# first, then the project.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-}"
case "$what" in app|test) ;; *) echo "usage: bash scripts/run.sh app|test" >&2; exit 2 ;; esac

# The browser tests drive Debian's Chromium (Playwright never downloads a browser here).
if [ "$what" = test ] && [ ! -x /usr/bin/chromium ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-cjk >/dev/null
fi

python="${PYTHON:-python3.11}"
command -v "$python" >/dev/null || { echo "error: $python not found (the project needs Python 3.11)" >&2; exit 2; }
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
stamp=.venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)
if [ ! -f "$stamp" ]; then
  pip_install() { .venv/bin/pip install --quiet --disable-pip-version-check "$@" 2> >(grep -v "is ignored" >&2); }
  pip_install torch==2.13.0
  pip_install -e ".[test]"
  touch "$stamp"
fi

if [ "$what" = app ]; then
  exec .venv/bin/python app.py
fi
exec .venv/bin/python -m pytest -q "${@:2}"
