#!/usr/bin/env bash
# Root's home is 0700, so a checkout there cannot be entered by the unprivileged user that the
# permission tests drop to. This clones the committed tree into such a directory and runs, there,
# every test file that uses the privilege-dropping fixture. Run from the repository, as root.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != "0" ]; then
  echo "skipped: not root (the check is for root in a 0700 home)"
  exit 0
fi
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
chmod 700 "$home"
git clone -q --no-hardlinks . "$home/exkeys"
cd "$home/exkeys"
npx -y pnpm@10.34.9 install --frozen-lockfile --prefer-offline --reporter=silent
mapfile -t files < <(grep -rl --include='*.test.ts' 'stores/unprivileged' packages apps)
if [ "${#files[@]}" -eq 0 ]; then
  echo "no test file uses the unprivileged fixture: update scripts/private-checkout-check.sh"
  exit 1
fi
echo "in $home/exkeys (mode 700): ${files[*]}"
npx -y pnpm@10.34.9 exec vitest run "${files[@]}"
node -e '
  const r = require("./reports/vitest.json");
  const skipped = r.numPendingTests + r.numTodoTests;
  // A skip here means setpriv could not drop privileges: then this check proves nothing.
  console.log(`0700 checkout: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
  process.exit(r.success && r.numPassedTests > 0 && skipped === 0 ? 0 : 1);
'
