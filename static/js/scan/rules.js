// What the phone can tell before it saves an action: would the server refuse it? Every rule
// and every word comes from what the server served (GET /api/v1/sync/catalog): the actions its
// state machine allows per status and role, each event type's refusals (`not_from`,
// `refused_when`, `to_by.only_from`) and its fields' (`missing`, `unknown`), and the cached lists of
// people and places. Nothing here knows an event type, a field or a status by name.
import { named } from "./picker.js";

/** A string as Python's repr() writes it, which is how the server quotes a value it refuses. */
export function pyRepr(text) {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  const escaped = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", [quote]: `\\${quote}` };
  return quote + [...text].map((ch) => escaped[ch] ?? ch).join("") + quote;
}

const words = (status) => status.replace(/_/g, " ");

/** The server's refusal of action `name` (described as `type`) with `data` on the cached
 *  `asset`, or "" when the phone knows of none. `allowed`: the actions the server allows
 *  for the asset's status and this person's role; `lists`: {kind: rows} the field kinds
 *  whose values must name a row (person -> people, place -> locations). */
export function refusal(asset, name, type, data, { allowed, lists }) {
  if (allowed && !allowed.includes(name) && type.not_from) {
    return type.not_from.replace("{status}", words(asset.status));
  }
  for (const [field, described] of Object.entries(type.fields ?? {})) {
    if (described.required && described.missing && data[field] === undefined) return described.missing;
  }
  for (const [field, described] of Object.entries(type.fields ?? {})) {
    const value = data[field];
    const rows = lists[described.kind];
    if (!described.unknown || typeof value !== "string" || !value || !rows?.length) continue;
    if (!named(rows, value)) return described.unknown.replace("{value!r}", pyRepr(value.trim()));
  }
  for (const [flag, message] of Object.entries(type.refused_when ?? {})) {
    if (asset[flag]) return message.replace("{tag}", asset.tag);
  }
  const only = type.to_by?.only_from?.[String(data[type.to_by.field]).toLowerCase()];
  if (only && !only.statuses.includes(asset.status)) return only.refusal.replace("{tag}", asset.tag);
  return "";
}

/** The choices of a field that decides the status which the asset's status allows, by
 *  value: a repair cannot be closed on an asset that is not in repair. */
export function choiceAllowed(type, field, value, status) {
  if (type.to_by?.field !== field) return true;
  const only = type.to_by.only_from?.[String(value).toLowerCase()];
  return !only || only.statuses.includes(status);
}
