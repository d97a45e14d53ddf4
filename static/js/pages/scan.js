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
import { fillPlace, openActionForm, readActionForm } from "../scan/action-form.js";
import { assetCard, unknownCard } from "../scan/card.js";
import { success } from "../scan/feedback.js";
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
  $("result").replaceChildren(assetCard(asset, { source, actions, onAction: openAction }));
}

function showUnknown(details) {
  current = null;
  $("result").replaceChildren(unknownCard(details, { onPick: lookup, onBind: bindLabel }));
}

async function bindLabel(code, tag) {
  await outbox.enqueue({ type: "attach_code", asset: tag, data: { code } });
  await outbox.flush();
  await lookup(code);
  say(`Label ${code} attached to ${tag}.`);
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

async function openAction(name, type) {
  openActionForm(name, type, current, await catalog.locations());
}

/** One tap in the retire step: a purchase request for a new one like it, for a manager. */
async function requestReplacement(asset, reason) {
  const number = crypto.randomUUID().replace(/-/g, "").slice(0, 10).toUpperCase();
  await outbox.enqueue({ type: "request", asset: `REQ-${number}`, data: {
    name: `Replacement for ${asset.tag} (${asset.name})`.slice(0, 200),
    ...(asset.model && { model: asset.model }), ...(asset.location && { location: asset.location }),
    notes: `Requested when ${asset.tag} was retired: ${reason}` } });
}

async function saveAction() {
  const { action, data, extras, photos, signatures } = await readActionForm();
  const asset = current;
  const { label } = (await catalog.eventTypes())[action];
  // The expected effect first: a quick sync then replaces it with the server's, not after.
  await catalog.applyLocally(asset.tag, action, data);
  const queued = await outbox.enqueue({ type: action, asset: asset.tag, data, baseVersion: asset.version, photos, signatures });
  if (extras.request_replacement) await requestReplacement(asset, data.reason ?? "");
  await showAsset(await catalog.resolve(asset.tag), "on this phone");
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
  if (fillPlace(text)) return; // a room's tag scanned while choosing a place
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
  saveAction();
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
  await mountSyncBar();
  await loadCatalog();
  const people = await catalog.people();
  $("people-list").replaceChildren(...people.map((p) => new Option(p.name, p.code)));
  outbox.flush();
  // /scan?tag=<code>: opened from an asset's page, show its card straight away.
  const wanted = new URLSearchParams(location.search).get("tag");
  if (wanted) await lookup(wanted);
})();

globalThis.tagtrail = { timings, lookup, outbox, catalog, ready };
