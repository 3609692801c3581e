#!/usr/bin/env bash
# The project's one test command (`npm test`): type-check, build the renderer the e2e tests serve,
# then run vitest. Where D-Bus and gnome-keyring are installed, the run happens inside a throwaway
# D-Bus session with an unlocked keyring so the keychain tests talk to a real Secret Service; where
# they are not, those tests are skipped with one line saying what to install — except under CI=true,
# where .ci/run installs them, so their absence fails the run. The browser tests always run (Chromium
# from CHROMIUM_PATH, PATH, or the @sparticuz/chromium devDependency: test/helpers/chromium.ts).
set -euo pipefail
cd "$(dirname "$0")/.."

KEYCHAIN_MISSING="keychain tests: SKIPPED, no Secret Service here. To run them install gnome-keyring and dbus-x11 (Debian/Ubuntu: sudo apt-get install gnome-keyring dbus-x11), then run npm test again."

# vitest, plus one plain closing line "tests: N passed, N failed, N skipped" from its JSON report.
run_vitest() {
  local code=0
  npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@" || code=$?
  node -e '
    const r = JSON.parse(require("fs").readFileSync("test-results/vitest.json", "utf8"));
    const skipped = r.numPendingTests + r.numTodoTests;
    if (process.env.COMPANION_KEYCHAIN_NOTE) console.log(process.env.COMPANION_KEYCHAIN_NOTE);
    console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
  ' || true
  return "$code"
}

if [ -z "${COMPANION_TEST_INNER:-}" ]; then
  have_keyring=0
  if command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then have_keyring=1; fi
  if [ "$have_keyring" = 0 ] && [ "${CI:-}" = "true" ]; then
    echo "CI=true but dbus-run-session or gnome-keyring-daemon is missing: the keychain tests are required in CI (.ci/run installs gnome-keyring dbus-x11)." >&2
    exit 1
  fi
  echo "== typecheck"; npx tsc --noEmit -p .
  echo "== build renderer"; npx vite build --config renderer/vite.config.ts --logLevel warn
  if [ "$have_keyring" = 1 ]; then
    echo "== vitest inside dbus-run-session with an unlocked gnome-keyring"
    exec dbus-run-session -- env COMPANION_TEST_INNER=1 COMPANION_KEYRING_EXPECTED=1 bash "$0" "$@"
  fi
  echo "$KEYCHAIN_MISSING"
  export COMPANION_KEYCHAIN_NOTE="$KEYCHAIN_MISSING"
  export COMPANION_TEST_INNER=1
else
  # Inside the D-Bus session: a throwaway keyring folder (never the user's own keyrings), and the
  # keyring daemon started unlocked with a throwaway password.
  XDG_DATA_HOME="$(mktemp -d)"
  export XDG_DATA_HOME
  trap 'rm -rf "$XDG_DATA_HOME"' EXIT
  eval "$(printf 'test-password' | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null
  export GNOME_KEYRING_CONTROL 2>/dev/null || true
  run_vitest "$@"
  exit $?
fi
run_vitest "$@"
