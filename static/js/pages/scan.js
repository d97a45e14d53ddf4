// The phone app's main screen: scan (camera, handheld scanner, typed code or a photo), see the
// asset's card from the phone's own copy, record field work into the outbox, watch it sync.
// The page wires these together; scan/card.js and scan/action-form.js draw the card and the
// form from what the server described, offline/catalog.js keeps that description.
import { ApiError, NetworkError, getJSON, postForm } from "../lib/api.js";
import { meta } from "../lib/idb.js";
import { resizePhoto } from "../lib/photos.js";
import * as catalog from "../offline/catalog.js";
import * as outbox from "../offline/outbox.js";
import { registerApp } from "../pwa/register.js";
import { checkSession } from "../pwa/session.js";
import { mountSyncBar } from "../pwa/syncbar.js";
import { fillPlace, formError, openActionForm, openLists, readActionForm } from "../scan/action-form.js";
import { assetCard, matchesCard, unknownCard } from "../scan/card.js";
import { success } from "../scan/feedback.js";
import { refusal } from "../scan/rules.js";
import { startScanner } from "../scan/scanner.js";

const $ = (id) => document.getElementById(id);

let scanner = null;
let current = null; // the asset on the card
let savedOffline = false; // the last action was saved with no signal: say when it syncs
export const timings = []; // decode-to-card times in ms, newest last

function say(text, isError = false) {
  $("message").textContent = text;
  $("message").classList.toggle("error", isError);
}

async function showAsset(asset, source) {
  current = asset;
  const actions = await catalog.cardActions(asset);
  if (current !== asset) return; // a later scan's card is on its way
  $("result").replaceChildren(assetCard(asset, { source, actions, onAction: openAction }));
}

function showUnknown(details) {
  current = null;
  $("result").replaceChildren(unknownCard(details, { onPick: lookup, onBind: bindLabel }));
}

/** Assets whose name (or tag, serial, place, holder) holds the typed words: the phone's copy
 *  first, then, with signal, the server's register (GET /api/v1/assets?q=). */
async function byName(text) {
  const found = await catalog.search(text);
  let source = "on this phone";
  if (navigator.onLine) {
    try {
      const { items } = await getJSON(`/api/v1/assets?q=${encodeURIComponent(text)}&per_page=10`);
      const known = new Set(found.map((a) => a.tag));
      found.push(...items.filter((a) => !known.has(a.tag)));
      source = "";
    } catch {
      // Offline after all, or signed out: the phone's own matches are the answer.
    }
  }
  return { found, source };
}

function showMatches(text, { found, source }) {
  current = null;
  $("result").replaceChildren(matchesCard(text, found, { source, onPick: lookup }));
}

async function bindLabel(code, tag) {
  await outbox.enqueue({ type: "attach_code", asset: tag, data: { code } });
  await outbox.flush();
  await lookup(code);
  say(`Label ${code} attached to ${tag}.`);
}

/** Show the asset a scan names: from the phone's copy at once, then checked with the server.
 *  Typed text (`typed`, the code field or a handheld scanner) that names no asset may be a
 *  name: then the assets it finds are listed to pick from. */
export async function lookup(text, decodedAt = performance.now(), { typed = false } = {}) {
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
    const named = typed && (err instanceof NetworkError || err.code === "unknown_payload")
      ? await byName(text) : { found: [] };
    if (named.found.length) {
      showMatches(text, named);
      say("");
    } else if (err instanceof ApiError && err.code === "unknown_payload") {
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

async function openAction(name, type) {
  openActionForm(name, type, current, { people: await catalog.people(), places: await catalog.locations() });
}

/** One tap in the retire step: a purchase request for a new one like it, for a manager; its
 *  estimate comes from the model on the server. */
async function requestReplacement(asset, reason) {
  await outbox.enqueuePost({ url: "/api/v1/requests", type: "purchase_request", label: "Purchase request",
    asset: asset.tag, body: {
      title: `Replacement for ${asset.tag} (${asset.name})`.slice(0, 200), quantity: 1, replaces: asset.tag,
      ...(asset.model ? { model: asset.model } : { specification: `Like ${asset.tag}, ${asset.name}`.slice(0, 10_000) }),
      justification: `Requested when ${asset.tag} was retired: ${reason || "no reason given"}`.slice(0, 10_000) } });
}

async function saveAction() {
  const { action, data, extras, photos, signatures } = await readActionForm();
  const asset = current;
  const type = (await catalog.eventTypes())[action];
  // What the server would refuse is refused here, in its words, before anything is saved.
  const allowed = asset.actions ?? (await catalog.actionsFor(asset.status));
  const refused = refusal(asset, action, type, data, { allowed, lists: openLists() });
  if (refused) return formError(refused);
  $("action").close();
  const { label } = type;
  if (action === "work_order_open") { // its id made here, so it can be worked before it syncs
    data.work_order = crypto.randomUUID();
    if (extras.mine) data.assignee = (await meta.get("user"))?.email;
  }
  // The expected effect first: a quick sync then replaces it with the server's, not after.
  await catalog.applyLocally(asset.tag, action, data);
  const queued = await outbox.enqueue({ type: action, asset: asset.tag, data, baseVersion: asset.version, photos, signatures });
  if (extras.request_replacement) await requestReplacement(asset, data.reason ?? "");
  await showAsset(await catalog.resolve(asset.tag), "on this phone");
  $("code").focus();
  $("code").select();
  savedOffline = !navigator.onLine;
  say(savedOffline ? `${label} saved on this phone; it will sync when there is signal.` : `${label} saved.`);
  // The server's answer replaces "saved" when it refuses the change or holds it for a manager.
  outbox.settled(queued.id).then(({ status, reason }) => {
    if (status !== "rejected" && status !== "conflict") return;
    savedOffline = false;
    say(`${label} ${status === "conflict" ? "is a conflict, waiting for a manager" : "was refused"}: ${reason}`, true);
  });
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
  routeScan(text, { decodedAt });
}

/** Where a scan goes: with a form open, to its place field (a room's tag) or refused, out
 *  loud, so it is never lost behind the form; otherwise the card follows it. */
function routeScan(text, { decodedAt = performance.now(), typed = false } = {}) {
  if ($("action").open) {
    if (!fillPlace(text)) {
      formError(`Scanned ${text.trim()}, but this form has nowhere for a scanned code: `
        + "save or cancel it, then scan again.");
    }
    return;
  }
  $("code").value = text;
  lookup(text, decodedAt, { typed });
  if (!typed) return; // a camera scan: focusing a text box would bring up the keyboard
  $("code").focus();
  $("code").select();
}

// ---- a handheld scanner types as a keyboard does, only faster, and ends with Enter

// A run of keys ends at a pause this long; it was a scan if it ended in Enter, held at least
// SCAN_MIN characters and came at least this fast on average. A wedge types a key every few
// ms, a person one every 100 ms or more; an average, not the longest gap, so that a busy
// phone that holds back one key now and then still reads the scan as a scan.
const RUN_PAUSE_MS = 300;
const SCAN_MEAN_MS = 50;
const SCAN_MIN = 3;
let burst = null; // the keys typed in a run: {target, before, text, first, last}

const editable = (el) => el instanceof HTMLElement && (el.isContentEditable
  || (el.matches("input, textarea, select") && !["checkbox", "radio", "button", "submit", "file", "range"]
    .includes(el.type)));

function onKey(e) {
  if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
  const target = e.target;
  if (e.key.length === 1) {
    if (!burst || e.timeStamp - burst.last > RUN_PAUSE_MS) {
      burst = { target, before: editable(target) ? target.value : null, text: "", first: e.timeStamp };
    }
    burst.text += e.key;
    burst.last = e.timeStamp;
    if (e.key === " " && burst.text === " " && !editable(target)) {
      burst = null; // a space on a button presses it
      return;
    }
    if (!$("action").open && !editable(target)) {
      // Typed with focus on a button or nowhere: the code field takes it.
      e.preventDefault();
      $("code").value = burst.text;
      $("code").focus();
    }
    return;
  }
  if (e.key === "Shift" || e.key === "CapsLock") return;
  const run = burst;
  burst = null;
  if (e.key !== "Enter" || !run || run.text.length < SCAN_MIN
    || e.timeStamp - run.last > RUN_PAUSE_MS
    || (e.timeStamp - run.first) / run.text.length > SCAN_MEAN_MS) return;
  const outside = !$("action").open;
  // Outside a form, a run typed into another field (the label to attach) is that field's.
  if (outside && editable(run.target) && run.target !== $("code")) return;
  e.preventDefault();
  e.stopPropagation();
  let text = run.text;
  if (outside) {
    text = $("code").value;
  } else if (run.before !== null) {
    run.target.value = run.before; // where the scan goes is for routeScan to say
  }
  routeScan(text, { typed: true });
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
  if (text.trim()) lookup(text, performance.now(), { typed: true });
  $("code").select();
});
$("action-form").addEventListener("submit", (e) => {
  if (e.submitter?.value !== "save") return;
  e.preventDefault(); // the form closes once its check passes (saveAction)
  if (e.target.checkValidity()) saveAction();
});
// The next scan must land somewhere: whenever no form is open, in the code field.
$("action").addEventListener("close", () => {
  $("action-fields").replaceChildren(); // a closed form's fields are no one's to type in
  $("code").focus();
});
document.addEventListener("keydown", onKey, true);
$("code").focus();
addEventListener("pagehide", stop);
// When a sync settles, the card shows the asset as the server now has it.
outbox.changes.addEventListener("change", async () => {
  if (!current || outbox.status().syncing) return;
  const before = current;
  const now = await catalog.resolve(before.tag);
  if (current !== before) return; // another scan meanwhile: its card stays
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
  await mountSyncBar();
  await loadCatalog();
  outbox.flush();
  // /scan?tag=<code>: opened from an asset's page, show its card straight away.
  const wanted = new URLSearchParams(location.search).get("tag");
  if (wanted) await lookup(wanted);
})();

globalThis.tagtrail = { timings, lookup, outbox, catalog, ready };
