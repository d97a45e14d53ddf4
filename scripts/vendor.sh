#!/usr/bin/env bash
# Refresh static/vendor (and the browser tests' axe-core) from the exact npm versions in
# package-lock.json. Run by hand when upgrading; the copied files are committed, so set-up,
# run time and the tests need no npm.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
wasm=$(node -e "const {createRequire}=require('module');console.log(createRequire(require.resolve('barcode-detector')).resolve('zxing-wasm/reader/zxing_reader.wasm'))")
cp node_modules/barcode-detector/dist/es/{ponyfill.js,zxing-exported.js} node_modules/barcode-detector/LICENSE \
   static/vendor/barcode-detector/
cp "$wasm" static/vendor/zxing-wasm/zxing_reader.wasm
cp "$(dirname "$wasm")/../../LICENSE" static/vendor/zxing-wasm/LICENSE
mkdir -p tests/browser/vendor/axe-core  # the accessibility checker the browser tests inject
cp node_modules/axe-core/{axe.min.js,LICENSE,LICENSE-3RD-PARTY.txt} tests/browser/vendor/axe-core/
rm -rf node_modules
echo "Vendored files refreshed; update static/vendor/VERSIONS.txt and static/sw.js's VERSION."
