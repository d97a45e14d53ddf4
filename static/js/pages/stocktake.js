// Walking a stock-take: download it once, then scan room by room with or without signal.
// Each scan is a `stocktake_scan` event in the outbox; the phone classifies it at once from
// its copy (found, already counted, misplaced, unexpected) and the server does the same on
// sync, merging what several phones counted without counting anything twice.
import { ApiError, getJSON, postJSON } from "../lib/api.js";
import { store } from "../lib/idb.js";
import { resizePhoto } from "../lib/photos.js";
import * as catalog from "../offline/catalog.js";
import * as outbox from "../offline/outbox.js";
import { parsePayload } from "../offline/payload.js";
import { registerApp } from "../pwa/register.js";
import { checkSession } from "../pwa/session.js";
import { mountSyncBar } from "../pwa/syncbar.js";
import { success } from "../scan/feedback.js";
import { startScanner } from "../scan/scanner.js";

const $ = (id) => document.getElementById(id);
const stocktakes = store("stocktakes");
const WORDS = { found: "Found", misplaced: "Misplaced", unexpected: "Not expected here",
  already_counted: "Already counted", unknown: "Unknown tag" };

let walk = null; // {id, location, location_name, rooms, expected: {TAG: room}, counted: {TAG: result}}
let scanner = null;

function say(text, isError = false) {
  $("message").textContent = text;
  $("message").classList.toggle("error", isError);
}

// ---- choosing or starting a stock-take

async function showChoices() {
  walk = null;
  $("walk").hidden = true;
  $("choose").hidden = false;
  const places = await catalog.locations();
  $("start-location").replaceChildren(...places.map((p) => new Option(`${p.name} (${p.code})`, p.code)));
  const saved = await stocktakes.all();
  let listed = [];
  try {
    listed = (await getJSON("/api/v1/stocktakes?status=open")).items;
  } catch {
    // Offline: the ones already on this phone are still there to walk.
  }
  const byId = new Map(saved.map((s) => [s.id, s]));
  for (const item of listed) if (!byId.has(item.id)) byId.set(item.id, item);
  $("open-list").replaceChildren(...[...byId.values()].map((s) => {
    const button = Object.assign(document.createElement("button"), { type: "button", className: "button",
      textContent: `${s.location_name} · started ${s.started_at?.slice(0, 10) ?? ""}${s.expected ? " · on this phone" : ""}` });
    button.dataset.stocktake = s.id;
    button.addEventListener("click", () => openStocktake(s.id));
    const li = document.createElement("li");
    li.append(button);
    return li;
  }));
}

async function startNew(code) {
  try {
    const created = await postJSON("/api/v1/stocktakes", { location: code });
    await openStocktake(created.id);
  } catch (err) {
    say(err.message, true);
  }
}

/** Download the stock-take (when online) and walk it from the phone's copy. */
async function openStocktake(id) {
  let saved = await stocktakes.get(id);
  if (navigator.onLine) {
    try {
      const fresh = await getJSON(`/api/v1/stocktakes/${id}`);
      const expected = Object.fromEntries(fresh.expected.map((e) => [e.tag.toUpperCase(), e.location]));
      const counted = { ...(saved?.counted ?? {}) };
      for (const c of fresh.counted) counted[c.tag.toUpperCase()] ??= c.result;
      saved = { ...fresh, expected, counted, room: saved?.room ?? "" };
      await stocktakes.put(saved);
    } catch (err) {
      if (!saved) return say(err instanceof ApiError ? err.message : "Connect once to download this stock-take.", true);
    }
  }
  walk = saved;
  $("choose").hidden = true;
  $("walk").hidden = false;
  $("walk-title").textContent = `Stock-take: ${walk.location_name}`;
  $("room").replaceChildren(new Option("Choose the room", ""),
    ...walk.rooms.map((r) => new Option(`${r.name} (${r.code})`, r.code)));
  $("room").value = walk.room ?? "";
  $("expected-list").replaceChildren(...Object.keys(walk.expected).map((t) => new Option(t)));
  $("log").replaceChildren();
  renderCounts();
}

// ---- counting

function classify(tag, room) {
  if (walk.counted[tag]) return "already_counted";
  const expectedRoom = walk.expected[tag];
  if (expectedRoom === undefined) return "unexpected";
  return room && expectedRoom !== room ? "misplaced" : "found";
}

async function count(raw, how = "scanned", extra = {}) {
  const { code } = parsePayload(raw);
  if (!code) return;
  if (walk.rooms.some((r) => r.code === code)) { // a room's own tag: that is where we are
    setRoom(code);
    return say(`Now counting in ${$("room").selectedOptions[0].text}.`);
  }
  const asset = await catalog.resolve(code);
  if (!asset) return log(code, "unknown", "not in the register on this phone");
  const tag = asset.tag.toUpperCase();
  const room = $("room").value;
  const result = classify(tag, room);
  await outbox.enqueue({ type: "stocktake_scan", asset: asset.tag, baseVersion: asset.version,
    data: { stocktake: walk.id, ...(room && { location: room }), how, ...extra.data },
    photos: extra.photos ?? [] });
  if (result !== "already_counted") walk.counted[tag] = result;
  await stocktakes.put(walk);
  const where = result === "misplaced" ? `expected in ${walk.expected[tag]}`
    : result === "unexpected" ? `belongs at ${asset.location_name ?? "an unknown place"}` : asset.name;
  log(asset.tag, result, where);
  renderCounts();
}

function log(tag, result, detail) {
  const item = Object.assign(document.createElement("li"), { className: `result-${result}`,
    textContent: `${tag} · ${WORDS[result]} · ${detail}` });
  $("log").prepend(item);
  say(`${tag}: ${WORDS[result]}`, result === "unknown");
}

function setRoom(code) {
  $("room").value = code;
  walk.room = code;
  stocktakes.put(walk);
}

function renderCounts() {
  const tags = Object.keys(walk.expected);
  const found = tags.filter((t) => walk.counted[t] === "found" || walk.counted[t] === "misplaced").length;
  const results = Object.values(walk.counted);
  const misplaced = results.filter((r) => r === "misplaced").length;
  const unexpected = results.filter((r) => r === "unexpected").length;
  $("found").textContent = `${found} of ${tags.length} found`;
  $("found-detail").textContent = `· ${misplaced} misplaced · ${unexpected} not expected`;
  $("rooms").replaceChildren(...walk.rooms.map((room) => {
    const here = tags.filter((t) => walk.expected[t] === room.code);
    const row = document.createElement("tr");
    for (const text of [room.name, here.filter((t) => walk.counted[t]).length, here.length]) {
      row.append(Object.assign(document.createElement("td"), { textContent: String(text) }));
    }
    row.dataset.room = room.code;
    return row;
  }));
}

// ---- camera and forms

async function startCamera() {
  $("viewfinder").hidden = false;
  try {
    scanner = await startScanner($("video"), ({ text }) => { success(); count(text); });
  } catch (err) {
    $("viewfinder").hidden = true;
    say(`The camera did not start (${err.message}): type the codes instead.`, true);
  }
}

function stopCamera() {
  scanner?.stop();
  scanner = null;
  $("viewfinder").hidden = true;
}

$("start-form").addEventListener("submit", (e) => { e.preventDefault(); startNew($("start-location").value); });
$("room").addEventListener("change", (e) => setRoom(e.target.value));
$("start").addEventListener("click", startCamera);
$("stop").addEventListener("click", stopCamera);
$("leave").addEventListener("click", () => { stopCamera(); showChoices(); });
$("manual").addEventListener("submit", (e) => {
  e.preventDefault();
  count($("code").value);
  $("code").value = "";
});
$("seen-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const file = $("seen-photo").files[0];
  const note = $("seen-note").value.trim();
  await count($("seen-tag").value, "seen", {
    data: { reason: $("seen-reason").value.trim(), ...(note && { note }) },
    photos: file ? [await resizePhoto(file)] : [],
  });
  e.target.reset();
});
addEventListener("pagehide", stopCamera);

const ready = (async () => {
  await checkSession();
  await registerApp(() => {}).catch(() => null);
  await mountSyncBar();
  if (navigator.onLine) await catalog.refresh().catch(() => {});
  await showChoices();
  outbox.flush();
})();

globalThis.tagtrail = { ready, count, openStocktake, outbox, catalog };
