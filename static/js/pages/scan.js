// The phone app's main screen: scan (camera, handheld scanner, typed code or a photo), see the
// asset's card from the phone's own copy, record field work into the outbox, watch it sync.
import { ApiError, NetworkError, getJSON, postForm } from "../lib/api.js";
import { meta } from "../lib/idb.js";
import { resizePhoto } from "../lib/photos.js";
import { signaturePad } from "../lib/signature.js";
import * as catalog from "../offline/catalog.js";
import * as outbox from "../offline/outbox.js";
import { registerApp } from "../pwa/register.js";
import { checkSession } from "../pwa/session.js";
import { mountSyncBar } from "../pwa/syncbar.js";
import { success } from "../scan/feedback.js";
import { startScanner } from "../scan/scanner.js";

const $ = (id) => document.getElementById(id);
const LABELS = { check_in: "Check in", check_out: "Check out", transfer: "Transfer",
  repair: "Log repair", mark_lost: "Mark lost", mark_found: "Mark found", retire: "Retire",
  receive: "Receive", wipe: "Record wipe", dispose: "Dispose", attach_code: "Attach label",
  stocktake_scan: "Count", approve: "Approve", order: "Order" };
// The fields each action asks for: [name, kind, required].
const FIELDS = {
  check_in: [["location", "place", true]],
  receive: [["location", "place", true]],
  check_out: [["assignee", "person", true], ["location", "place", false]],
  transfer: [["to_location", "place", true]],
  repair: [["symptom", "text", true], ["work_done", "textarea", false], ["parts", "text", false],
    ["cost", "money", false], ["minutes", "minutes", false], ["status", "repair", false]],
  mark_lost: [["note", "textarea", false]],
  mark_found: [["location", "place", false]],
  retire: [["reason", "text", true], ["request_replacement", "check", false]],
  wipe: [["method", "choice:clear,purge,destroy", true], ["technique", "text", true],
    ["tool", "text", false], ["media_serials", "list", false], ["operator", "person", false],
    ["witness", "person", true], ["verified", "check", false], ["notes", "textarea", false]],
  dispose: [["method", "choice:resale,donation,recycling,return_to_lessor,destruction", true],
    ["vendor", "text", false], ["vendor_certification", "choice:,R2,e-Stewards,WEEE,none", false],
    ["weight_kg", "number", false], ["residual_value", "money", false], ["notes", "textarea", false]],
};
// Actions whose record carries signatures drawn on the screen.
const SIGNED = { wipe: [["operator", "Operator's signature"], ["witness", "Witness's signature"]],
  dispose: [["operator", "Handed over by (signature)"], ["witness", "Received by the vendor (signature)"]] };

let scanner = null;
let current = null; // the asset on the card
let savedOffline = false; // the last action was saved with no signal: say when it syncs
export const timings = []; // decode-to-card times in ms, newest last

function say(text, isError = false) {
  $("message").textContent = text;
  $("message").classList.toggle("error", isError);
}

function fill(template, values) {
  const node = $(template).content.firstElementChild.cloneNode(true);
  for (const [key, value] of Object.entries(values)) {
    const slot = node.querySelector(`[data-f="${key}"]`);
    if (slot && typeof value === "string") slot.textContent = value;
  }
  return node;
}

function warranty(end) {
  if (!end) return "—";
  const days = Math.round((new Date(end) - new Date()) / 86400000);
  return days >= 0 ? `${end} (${days} days left)` : `ended ${end}`;
}

async function showAsset(asset, source) {
  current = asset;
  const card = fill("asset-card", {
    tag: asset.tag, name: asset.name, status: asset.status.replace(/_/g, " "), source,
    location_name: asset.location_name || "—", assignee_name: asset.assignee_name || "—",
    model: asset.model || "—", serial: asset.serial || "—", warranty: warranty(asset.warranty_end),
    open_work: [asset.status === "in_repair" && "In repair",
      asset.pending && `${asset.pending} change(s) waiting to sync`].filter(Boolean).join(" · ") || "None",
  });
  card.querySelector('[data-f="status"]').classList.add(`status-${asset.status}`);
  const buttons = card.querySelector('[data-f="actions"]');
  const actions = asset.actions ?? await catalog.actionsFor(asset.status);
  for (const action of actions.filter((a) => FIELDS[a])) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button";
    button.dataset.action = action;
    button.textContent = LABELS[action];
    button.addEventListener("click", () => openAction(action));
    buttons.append(button);
  }
  card.querySelector('[data-f="link"]').href = `/admin/assets/${encodeURIComponent(asset.tag)}`;
  $("result").replaceChildren(card);
}

function showUnknown(details) {
  current = null;
  const code = details.code || details.payload;
  const card = fill("unknown-card", { code });
  const list = card.querySelector('[data-f="candidates"]');
  for (const c of details.candidates ?? []) {
    const link = Object.assign(document.createElement("a"), { href: "#", textContent: `${c.tag} · ${c.name}` });
    link.addEventListener("click", (e) => { e.preventDefault(); lookup(c.tag); });
    const item = document.createElement("li");
    item.append(link);
    list.append(item);
  }
  const bind = card.querySelector('[data-f="bind"]');
  const register = card.querySelector('[data-f="register"]');
  if (!details.can_bind) {
    bind.remove();
    register.remove();
  } else {
    register.href = `/admin/assets/new?tag=${encodeURIComponent(code)}`;
    bind.addEventListener("submit", async (e) => {
      e.preventDefault();
      const tag = bind.asset.value.trim();
      await outbox.enqueue({ type: "attach_code", asset: tag, data: { code } });
      await outbox.flush();
      await lookup(code);
      say(`Label ${code} attached to ${tag}.`);
    });
  }
  $("result").replaceChildren(card);
}

/** Show the asset a scan names: from the phone's copy at once, then checked with the server. */
export async function lookup(text, decodedAt = performance.now()) {
  const cached = await catalog.resolve(text);
  if (cached) {
    await showAsset(cached, "on this phone");
    timings.push(performance.now() - decodedAt);
    $("result").dataset.shown = text;
    say("");
    if (navigator.onLine) fresh(text, cached.tag);
    return;
  }
  say("Looking up…");
  try {
    await showAsset(await getJSON(`/api/v1/scan?payload=${encodeURIComponent(text)}`), "");
    say("");
  } catch (err) {
    if (err instanceof ApiError && err.code === "unknown_payload") {
      showUnknown(err.details);
      say("");
    } else if (err instanceof NetworkError) {
      say("This code is not in the phone's copy of the register, and there is no connection to look it up.", true);
    } else {
      say(err.status === 401 ? "Sign in again to look up codes this phone does not know." : err.message, true);
    }
    return;
  }
  timings.push(performance.now() - decodedAt);
  $("result").dataset.shown = text;
}

async function fresh(text, tag) {
  try {
    const asset = await getJSON(`/api/v1/scan?payload=${encodeURIComponent(text)}`);
    const waiting = (await outbox.list()).some((e) => e.asset === asset.tag && e.state === "pending");
    if (!waiting) await catalog.saveAssets([asset]);
    if (current?.tag === tag && !waiting) await showAsset(asset, "");
  } catch {
    // Offline or signed out: the cached card stays.
  }
}

// ---- field actions

function input(name, kind, required) {
  const wrap = document.createElement("div");
  wrap.className = kind === "check" ? "field check" : "field";
  const label = Object.assign(document.createElement("label"), { htmlFor: `f-${name}`,
    textContent: name.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase()) + (required ? "" : " (optional)") });
  let control;
  if (kind === "place") {
    control = document.createElement("select");
    control.append(new Option(required ? "Choose, or scan the room's tag" : "—", ""));
    placeOptions.forEach((p) => control.append(new Option(`${p.name} (${p.code})`, p.code)));
  } else if (kind === "repair") {
    control = document.createElement("select");
    [["", "Just log it"], ["open", "Asset goes to repair"], ["closed", "Repair done, back to stock"]]
      .forEach(([v, t]) => control.append(new Option(t, v)));
  } else if (kind.startsWith("choice:")) {
    control = document.createElement("select");
    kind.slice(7).split(",").forEach((v) => control.append(new Option(v ? v.replace(/_/g, " ") : "—", v)));
  } else if (kind === "textarea") {
    control = document.createElement("textarea");
  } else {
    control = document.createElement("input");
    if (kind === "person") control.setAttribute("list", "people-list");
    if (kind === "money") Object.assign(control, { inputMode: "decimal", pattern: "\\d+([.,]\\d{1,2})?" });
    if (kind === "minutes") Object.assign(control, { type: "number", min: 0, step: 1 });
    if (kind === "number") Object.assign(control, { type: "number", min: 0, step: "any" });
    if (kind === "check") control.type = "checkbox";
    if (kind === "list") control.placeholder = "separated by commas";
  }
  Object.assign(control, { id: `f-${name}`, name, required });
  control.dataset.kind = kind;
  if (kind === "check") wrap.append(control, label);
  else wrap.append(label, control);
  return wrap;
}

let placeOptions = [];
let pads = [];

async function openAction(action) {
  placeOptions = await catalog.locations();
  $("action-title").textContent = `${LABELS[action]} · ${current.tag}`;
  pads = (SIGNED[action] ?? []).map(([name, label]) => signaturePad(name, label));
  $("action-fields").replaceChildren(...FIELDS[action].map((f) => input(...f)),
    ...pads.map((p) => p.element));
  $("action-form").dataset.action = action;
  $("action-photos").value = "";
  $("action").showModal();
}

/** One tap in the retire step: a purchase request for a new one like it, for a manager. */
async function requestReplacement(asset, reason) {
  const number = crypto.randomUUID().replace(/-/g, "").slice(0, 10).toUpperCase();
  await outbox.enqueue({ type: "request", asset: `REQ-${number}`, data: {
    name: `Replacement for ${asset.tag} (${asset.name})`.slice(0, 200),
    ...(asset.model && { model: asset.model }), ...(asset.location && { location: asset.location }),
    notes: `Requested when ${asset.tag} was retired: ${reason}` } });
}

const VALUE = {
  minutes: Number, number: Number, check: (_, control) => control.checked,
  money: (v) => v.replace(",", "."), list: (v) => v.split(",").map((x) => x.trim()).filter(Boolean),
};

async function saveAction(form) {
  const action = form.dataset.action;
  const data = {};
  for (const control of $("action-fields").querySelectorAll("[name]")) {
    const value = control.value.trim();
    const kind = control.dataset.kind;
    if (!value && kind !== "check") continue;
    data[control.name] = (VALUE[kind] ?? String)(value, control);
  }
  const photos = await Promise.all([...$("action-photos").files].map(resizePhoto));
  const signatures = {};
  for (const pad of pads) {
    const blob = await pad.blob();
    if (blob) signatures[pad.name] = blob;
  }
  const asset = current;
  const replace = action === "retire" && data.request_replacement;
  delete data.request_replacement;
  // The expected effect first: a quick sync then replaces it with the server's, not after.
  await catalog.applyLocally(asset.tag, action, data);
  await outbox.enqueue({ type: action, asset: asset.tag, data, baseVersion: asset.version, photos, signatures });
  if (replace) await requestReplacement(asset, data.reason);
  await showAsset(await catalog.resolve(asset.tag), "on this phone");
  savedOffline = !navigator.onLine;
  say(savedOffline ? `${LABELS[action]} saved on this phone; it will sync when there is signal.` : `${LABELS[action]} saved.`);
}

// ---- camera and inputs

async function start() {
  say("Starting the camera…");
  $("viewfinder").hidden = false;
  try {
    scanner = await startScanner($("video"), onCode);
  } catch (err) {
    $("viewfinder").hidden = true;
    say(err.name === "NotAllowedError" ? "Camera permission was refused: type the code, or "
      + "take a photo instead." : `The camera did not start (${err.message}).`, true);
    return;
  }
  say("Point the camera at a tag.");
  const caps = scanner.capabilities;
  $("torch").hidden = !caps.torch;
  if (caps.zoom) {
    Object.assign($("zoom"), { min: caps.zoom.min, max: caps.zoom.max, step: caps.zoom.step || 0.1 });
    $("zoom-wrap").hidden = false;
  }
}

async function onCode({ text }) {
  const decodedAt = performance.now();
  success();
  $("viewfinder").classList.add("hit");
  setTimeout(() => $("viewfinder").classList.remove("hit"), 400);
  const place = $("action").open && $("action-fields").querySelector('[data-kind="place"]');
  if (place) { // a room's tag scanned while choosing a place
    const code = text.trim();
    if ([...place.options].some((o) => o.value === code)) place.value = code;
    return;
  }
  lookup(text, decodedAt);
}

function stop() {
  scanner?.stop();
  scanner = null;
  $("viewfinder").hidden = true;
  say("");
}

async function decodePhoto(file) {
  if (!file) return;
  say("Reading the photo…");
  const form = new FormData();
  // A phone photo is 3–5 MB; the server decodes at most 2,000 px of it (WORK_SIDE), so send
  // that much, crisp. A format the browser cannot open goes as it is.
  const image = await resizePhoto(file, { longSide: 2000, quality: 0.92 }).catch(() => file);
  form.append("image", image, "photo.jpg");
  try {
    const { codes } = await postForm("/api/v1/decode", form);
    if (!codes.length) return say("No code found in the photo. Try closer, with more light.", true);
    await lookup(codes[0].text);
  } catch (err) {
    say(err instanceof NetworkError ? "Reading photos needs a connection: type the code instead." : err.message, true);
  }
}

async function loadCatalog() {
  if (!navigator.onLine) return;
  try {
    const first = !(await meta.get("since"));
    await catalog.refresh((n) => { if (first) say(`Downloading the register for offline use… ${n}`); });
    if (first) say(`Ready: ${await catalog.assetCount()} assets on this phone.`);
  } catch (err) {
    if (err.status === 401) say("Sign in to download the register to this phone.", true);
  }
}

$("start").addEventListener("click", start);
$("stop").addEventListener("click", stop);
$("torch").addEventListener("click", async (e) => {
  const on = e.currentTarget.getAttribute("aria-pressed") !== "true";
  await scanner?.torch(on).catch(() => {});
  e.currentTarget.setAttribute("aria-pressed", String(on));
});
$("zoom").addEventListener("input", (e) => scanner?.zoom(Number(e.target.value)).catch(() => {}));
$("photo").addEventListener("change", (e) => decodePhoto(e.target.files[0]));
$("manual").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = $("code").value;
  if (text.trim()) lookup(text);
  $("code").select();
});
$("action-form").addEventListener("submit", (e) => {
  if (e.submitter?.value !== "save") return;
  if (!e.target.checkValidity()) { e.preventDefault(); return; }
  saveAction(e.target);
});
addEventListener("pagehide", stop);
// When a sync settles, the card shows the asset as the server now has it.
outbox.changes.addEventListener("change", async () => {
  if (!current || outbox.status().syncing) return;
  const now = await catalog.resolve(current.tag);
  const before = current;
  if (!now || (now.version === before.version && now.pending === before.pending)) return;
  await showAsset(now, now.pending ? "on this phone" : "");
  if (savedOffline && !now.pending) {
    savedOffline = false;
    say("Synced.");
  }
});

const ready = (async () => {
  await checkSession();
  await registerApp((activate) => {
    $("update").hidden = false;
    $("reload").onclick = () => { sessionStorage.setItem("tagtrail-updating", "1"); activate(); };
  }).catch(() => null);
  await mountSyncBar(LABELS);
  await loadCatalog();
  const people = await catalog.people();
  $("people-list").replaceChildren(...people.map((p) => new Option(p.name, p.code)));
  outbox.flush();
  // /scan?tag=<code>: opened from an asset's page, show its card straight away.
  const wanted = new URLSearchParams(location.search).get("tag");
  if (wanted) await lookup(wanted);
})();

globalThis.tagtrail = { timings, lookup, outbox, catalog, ready };
