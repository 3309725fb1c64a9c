#!/usr/bin/env bash
# `npm test`: every test — types, unit, integration on chDB, browser tests in Debian's chromium.
# Installs the system packages it needs when it can (root with apt-get), else says what to run.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi 'noto sans cjk' || need+=(fonts-noto-cjk)
# The MQTT tests start their own mosquitto (temp config, free port); the system service is never used.
[ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "npm test: installing ${need[*]} (Debian packages)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "npm test: missing ${need[*]}; install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
fi

echo "== types"
npm run --silent typecheck

echo "== lint: ESLint (typescript-eslint, eslint-plugin-vue) and Prettier"
npm run --silent lint

echo "== one-way imports between folders (.dependency-cruiser.cjs)"
npm run --silent lint:deps

echo "== layers and alert rules (dashboards/): validate every file, dry-run its SQL"
npm run --silent layers:check

echo "== web build (the browser tests serve it)"
npx vite build --logLevel warn

echo "== tests"
mkdir -p .tmp
rm -f .tmp/vitest.json
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest.json "$@" || status=$?
# One plain closing line that any CI reader understands.
if [ -f .tmp/vitest.json ]; then
  node -e 'const r = JSON.parse(require("fs").readFileSync(".tmp/vitest.json", "utf8")); const skipped = r.numPendingTests + r.numTodoTests; console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""))'
fi
exit $status
