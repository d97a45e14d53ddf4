#!/usr/bin/env bash
# Refresh static/vendor from the exact npm versions in package-lock.json. Run by hand when
# upgrading; the copied files are committed, so set-up and run time need no npm.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
wasm=$(node -e "const {createRequire}=require('module');console.log(createRequire(require.resolve('barcode-detector')).resolve('zxing-wasm/reader/zxing_reader.wasm'))")
cp node_modules/barcode-detector/dist/es/{ponyfill.js,zxing-exported.js} node_modules/barcode-detector/LICENSE \
   static/vendor/barcode-detector/
cp "$wasm" static/vendor/zxing-wasm/zxing_reader.wasm
cp "$(dirname "$wasm")/../../LICENSE" static/vendor/zxing-wasm/LICENSE
rm -rf node_modules
echo "Vendored files refreshed; update static/vendor/VERSIONS.txt and static/sw.js's VERSION."
