// The form for one action on an asset, built from its event type as the server described it
// (GET /api/v1/sync/catalog `event_types`): a control per field, by its kind, with its label,
// choices and required flag; a signature pad per signer; and the one extra the phone adds.
import { resizePhoto } from "../lib/photos.js";
import { signaturePad } from "../lib/signature.js";
import { named, picker } from "./picker.js";
import { choiceAllowed, pyRepr } from "./rules.js";

const $ = (id) => document.getElementById(id);

// The fields no server describes, the phone's own features, so their answers are kept apart
// from `data` (pages/scan.js acts on them): retiring can also queue a purchase request for a
// replacement, a `request` event of its own; a fault reported can go on my own work list.
const PHONE_EXTRAS = {
  retire: { request_replacement: { kind: "check", required: false, label: "Also request a replacement" } },
  work_order_open: { mine: { kind: "check", required: false, label: "I will work on it (it goes on My work)" } },
};

// How each kind's text becomes the value sent; other kinds send the trimmed text.
const VALUE = {
  minutes: Number, number: Number, check: (_, control) => control.checked,
  money: (v) => v.replace(",", "."), list: (v) => v.split(",").map((x) => x.trim()).filter(Boolean),
};

// The kinds of field that name a row of one of the phone's cached lists, and which list.
const PICKED = { person: "people", place: "locations" };

let pads = [];
let open = null; // {type, lists}: what the open form was built from

// Each save (a click, or Enter, which clicks it too) checks the form afresh: a message set on
// the last try must not outlive the empty field it was about.
$("action-form")?.addEventListener("click", (e) => {
  if (!e.target.closest?.('button[value="save"]')) return;
  for (const element of $("action-fields").querySelectorAll("[name]")) element.setCustomValidity("");
});

function control(name, field, { lists, type, status }) {
  const { kind } = field;
  let element;
  if (kind === "choice") {
    element = document.createElement("select");
    if ("blank" in field) element.append(new Option(field.blank, ""));
    for (const [value, text] of field.choices ?? []) {
      // Only the outcomes the state machine allows from the status the card shows.
      if (choiceAllowed(type, name, value, status)) element.append(new Option(text, value));
    }
  } else if (kind === "textarea") {
    element = document.createElement("textarea");
  } else { // text, person, place, money, number, minutes, check, list; a kind this phone
    element = document.createElement("input"); // does not know yet is plain text
    if (kind === "place") element.placeholder = "Name or code, or scan its tag";
    if (kind === "person") element.placeholder = "Part of a name, a code or an e-mail";
    if (kind === "money") Object.assign(element, { inputMode: "decimal", pattern: "\\d+([.,]\\d{1,2})?" });
    if (kind === "minutes") Object.assign(element, { type: "number", min: 0, step: 1 });
    if (kind === "number") Object.assign(element, { type: "number", min: 0, step: "any" });
    if (kind === "check") element.type = "checkbox";
    if (kind === "list") element.placeholder = "separated by commas";
  }
  // A box always sends its answer, ticked or not, which is all a required one asks for; the
  // browser's `required` on a checkbox would mean "must be ticked".
  Object.assign(element, { id: `f-${name}`, name, required: Boolean(field.required) && kind !== "check" });
  element.dataset.kind = kind;
  if (element.required && field.missing) { // left empty, it says what the server would
    element.addEventListener("invalid", () => {
      if (element.validity.valueMissing) element.setCustomValidity(field.missing);
    });
  }
  return element;
}

function input(name, field, context) {
  const wrap = Object.assign(document.createElement("div"),
    { className: field.kind === "check" ? "field check" : "field" });
  const optional = field.required || field.kind === "check" ? "" : " (optional)";
  const label = Object.assign(document.createElement("label"),
    { htmlFor: `f-${name}`, textContent: `${field.label ?? name}${optional}` });
  const element = control(name, field, context);
  const rows = context.lists[field.kind];
  if (field.kind === "check") wrap.append(element, label);
  else wrap.append(label, rows ? picker(element, rows) : element);
  return [wrap, element];
}

/** Open the form for action `name` (its described `type`) on `asset`; `people` and `places`
 *  (the cached lists) fill its pickers. */
export function openActionForm(name, type, asset, { people, places }) {
  const lists = Object.fromEntries(Object.entries(PICKED).map(([kind, list]) =>
    [kind, { people, locations: places }[list]]));
  const context = { lists, type, status: asset.status };
  open = { type, lists };
  $("action-title").textContent = `${type.label} · ${asset.tag}`;
  const described = type.fields ?? {};
  // JSON objects carry no order: the server sends the form's order as a list beside them.
  const names = [...new Set([...(type.field_order ?? []), ...Object.keys(described)])];
  const fields = names.filter((n) => described[n]).map((n) => input(n, described[n], context)[0]);
  const extras = Object.entries(PHONE_EXTRAS[name] ?? {}).map(([n, f]) => {
    const [wrap, element] = input(n, f, context);
    element.dataset.extra = "phone";
    return wrap;
  });
  pads = (type.signatures ?? []).map(([who, label]) => signaturePad(who, label));
  $("action-fields").replaceChildren(...fields, ...extras, ...pads.map((p) => p.element));
  $("action-form").dataset.action = name;
  $("action-photos").value = "";
  formError("");
  $("action").showModal();
}

/** Say why the open form cannot be saved (or nothing, with ""), with a buzz for a refusal. */
export function formError(text) {
  $("action-error").textContent = text;
  $("action-error").hidden = !text;
  if (text) navigator.vibrate?.([120, 60, 120]);
}

/** The cached lists the open form's pickers choose from, by field kind. */
export const openLists = () => open?.lists ?? {};

/** What the open form holds: {action, data (the event's), extras (the phone's own), photos
 *  (resized), signatures ({who: PNG} for the pads drawn on)}. */
export async function readActionForm() {
  const data = {};
  const extras = {};
  for (const element of $("action-fields").querySelectorAll("[name]")) {
    const value = element.value.trim();
    const kind = element.dataset.kind;
    if (!value && kind !== "check") continue;
    (element.dataset.extra ? extras : data)[element.name] = (VALUE[kind] ?? String)(value, element);
  }
  const photos = await Promise.all([...$("action-photos").files].map((f) => resizePhoto(f)));
  const signatures = {};
  for (const pad of pads) {
    const blob = await pad.blob();
    if (blob) signatures[pad.name] = blob;
  }
  return { action: $("action-form").dataset.action, data, extras, photos, signatures };
}

/** A room's tag scanned while a form with a place field is open goes there (the first empty
 *  one, else the first); false when no such form is open. A tag that names no place stays in
 *  the box, with the server's refusal under it. */
export function fillPlace(text) {
  const places = $("action").open ? [...$("action-fields").querySelectorAll('[data-kind="place"]')] : [];
  if (!places.length) return false;
  const box = places.find((p) => !p.value) ?? places[0];
  const code = text.trim();
  box.pick(code);
  const rows = open.lists.place ?? [];
  const unknown = open.type.fields?.[box.name]?.unknown;
  formError(rows.length && unknown && !named(rows, code) ? unknown.replace("{value!r}", pyRepr(code)) : "");
  box.focus();
  return true;
}
