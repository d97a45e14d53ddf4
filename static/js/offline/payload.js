// What scanned text could name: the same rules as the server's app/scanning/payload.py.
const AIM_PREFIX = /^\][A-Za-z][0-9A-Za-z]/;
const TAG_PATH = /^\/t\/([^/?#]+)\/?$/;

/** {text, code}: cleaned text, and the code it names (null for a foreign URL or nothing). */
export function parsePayload(raw) {
  // Drop control and format characters (CR, LF, tab, STX/ETX, GS...), then an AIM prefix.
  const text = String(raw).slice(0, 2048).replace(/[\p{Cc}\p{Cf}]/gu, "").trim()
    .replace(AIM_PREFIX, "").trim();
  if (!/^https?:\/\//i.test(text)) return { text, code: text || null };
  try {
    const match = TAG_PATH.exec(new URL(text).pathname);
    return { text, code: match ? decodeURIComponent(match[1]).trim() : null };
  } catch {
    return { text, code: null };
  }
}

/** The forms a code may be stored under: as typed, and a UPC-A read as EAN-13 or back. */
export function variants(code) {
  const forms = new Set([code.toUpperCase()]);
  if (/^\d{12}$/.test(code)) forms.add(`0${code}`);
  if (/^0\d{12}$/.test(code)) forms.add(code.slice(1));
  return [...forms];
}
