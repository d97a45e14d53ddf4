// What an event is expected to do to the phone's copy of its asset, read from the event type
// the server described (GET /api/v1/sync/catalog `event_types`), so the card shows the change
// before it syncs. No storage here: offline/catalog.js applies it, and the server's answer
// replaces it on the next sync.

// Every handler that leaves an asset in one of these statuses also clears who holds it
// (check-in, a closed repair, mark found, retire, dispose): the description has no word for
// that, so the phone keeps this one rule.
const NOBODY_HOLDS = new Set(["in_stock", "retired", "disposed"]);

/** The status `type` leads to with `data`, or null when it leaves the status as it is. */
export function statusAfter(type, data) {
  if (!type.to_by) return type.to ?? null;
  const value = data[type.to_by.field];
  const key = String(value).toLowerCase(); // the cases are keyed "open", "true", ...
  return value !== undefined && Object.hasOwn(type.to_by.cases, key) ? type.to_by.cases[key] : null;
}

/** {status?, location?, custody?, <flag>: false}: what the event changes, with places and
 *  people as codes; a key that is absent stays as it is, a null custody means nobody holds
 *  the asset, and a flag of the cached asset that a field `clears` is cleared by a true answer
 *  (a verified wipe: its data no longer stands in the way of disposal). */
export function effectOf(type, data) {
  const effect = {};
  const status = statusAfter(type, data);
  if (status) effect.status = status;
  for (const [name, field] of Object.entries(type.fields ?? {})) {
    const value = data[name];
    if (field.sets && value !== undefined && value !== "") effect[field.sets] = value;
    if (field.clears && value === true) effect[field.clears] = false;
  }
  if (!("custody" in effect) && NOBODY_HOLDS.has(status)) effect.custody = null;
  return effect;
}
