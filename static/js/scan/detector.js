// A BarcodeDetector: the browser's own where it reads our formats, else the vendored
// ZXing WebAssembly ponyfill, loaded only then and always from this server.

export const FORMATS = ["qr_code", "code_128", "code_39", "ean_13", "ean_8", "upc_a", "upc_e",
  "data_matrix", "itf"];
const VENDOR = "/static/vendor/";

let pending;

export function makeDetector() {
  pending ??= create();
  return pending;
}

async function create() {
  if ("BarcodeDetector" in globalThis) {
    const supported = await globalThis.BarcodeDetector.getSupportedFormats().catch(() => []);
    const formats = FORMATS.filter((f) => supported.includes(f));
    if (formats.includes("qr_code") && formats.includes("code_128")) {
      return new globalThis.BarcodeDetector({ formats });
    }
  }
  const ponyfill = await import(`${VENDOR}barcode-detector/ponyfill.js`);
  ponyfill.prepareZXingModule({
    overrides: {
      locateFile: (path, prefix) =>
        path.endsWith(".wasm") ? new URL(`${VENDOR}zxing-wasm/${path}`, location.href).href
          : prefix + path,
    },
  });
  return new ponyfill.BarcodeDetector({ formats: FORMATS });
}
