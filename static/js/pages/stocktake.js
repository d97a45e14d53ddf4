// Walking a stock-take: download it once, then scan room by room with or without signal.
// Each scan is a `stocktake_scan` event in the outbox; the phone classifies it at once from
// its copy (found, already counted, misplaced, unexpected) and the server does the same on
// sync, merging what several phones counted without counting anything twice. The phone
// counts rooms as the desk does (offline/stocktakes.js), lists what is still to find in the
// room, keeps codes that name no asset for the report, and follows the server at each sync.
import { ApiError, getJSON, postJSON } from "../lib/api.js";
import { resizePhoto } from "../lib/photos.js";
import * as catalog from "../offline/catalog.js";
import * as outbox from "../offline/outbox.js";
import { parsePayload } from "../offline/payload.js";
import * as stocktakes from "../offline/stocktakes.js";
import { registerApp } from "../pwa/register.js";
import { checkSession } from "../pwa/session.js";
import { mountSyncBar } from "../pwa/syncbar.js";
import { success } from "../scan/feedback.js";
import { startScanner } from "../scan/scanner.js";

const $ = (id) => document.getElementById(id);
const WORDS = { found: "Found", misplaced: "Misplaced", unexpected: "Not expected here",
  already_counted: "Already counted", unknown: "Unknown tag", rejected: "Refused" };
const TODO_SHOWN = 200; // a room's still-to-find list beyond this says how many more

let walk = null; // {id, location, location_name, rooms, expected: {TAG: room}, counted: {TAG: {result, room}}}
let scanner = null;
const names = new Map(); // TAG -> the asset's name, from the phone's register, for the lists

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

const pendingScans = async (id) => new Set((await outbox.list())
  .filter((e) => e.state === "pending" && e.type === "stocktake_scan" && e.data.stocktake === id)
  .map((e) => e.asset.toUpperCase()));

/** Download the stock-take (when online) and walk it from the phone's copy. */
async function openStocktake(id) {
  let saved = await stocktakes.get(id);
  if (navigator.onLine) {
    try {
      const fresh = await stocktakes.download(id, await pendingScans(id));
      if (fresh.status !== "open") {
        await showChoices();
        return say(`This stock-take is ${fresh.status}: it takes no more scans.`, true);
      }
      saved = fresh;
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

/** Count what a scan names in the walk on screen; a scan with no walk open (it was finished
 *  meanwhile) is not taken. */
async function count(raw, how = "scanned", extra = {}) {
  const { code } = parsePayload(raw);
  if (!code) return;
  if (!walk || !(await stocktakes.kept(walk.id))) {
    return say("This stock-take is no longer open on this phone: the scan was not taken.", true);
  }
  if (walk.rooms.some((r) => r.code === code)) { // a room's own tag: that is where we are
    setRoom(code);
    return say(`Now counting in ${$("room").selectedOptions[0].text}.`);
  }
  const room = $("room").value;
  const asset = await catalog.resolve(code);
  if (!asset) {
    const kept = await outbox.enqueueUnknown({ stocktake: walk.id, code, location: room });
    return log(kept.id, code, "unknown", "no asset carries it; kept for the report");
  }
  const tag = asset.tag.toUpperCase();
  const result = stocktakes.classify(walk, tag, room);
  const queued = await outbox.enqueue({ type: "stocktake_scan", asset: asset.tag,
    baseVersion: asset.version, photos: extra.photos ?? [],
    data: { stocktake: walk.id, ...(room && { location: room }), how, ...extra.data } });
  if (result !== "already_counted") {
    walk.counted[tag] = { result, room: room || null, at: new Date().toISOString() };
    walk.synced = false;
  }
  await stocktakes.put(walk);
  const where = result === "misplaced" ? `expected in ${walk.expected[tag]}`
    : result === "unexpected" ? `belongs at ${asset.location_name ?? "an unknown place"}` : asset.name;
  log(queued.id, asset.tag, result, where);
  renderCounts();
}

/** A line in the scan log; the server's answer replaces the phone's guess when it comes. */
function log(id, tag, result, detail) {
  const item = Object.assign(document.createElement("li"), { className: `result-${result}`,
    textContent: `${tag} · ${WORDS[result]} · ${detail}` });
  item.dataset.entry = id;
  $("log").prepend(item);
  say(`${tag}: ${WORDS[result]}`, result === "unknown");
  outbox.settled(id).then((answer) => {
    const told = answer.status === "rejected" || answer.status === "conflict" ? "rejected"
      : answer.result;
    if (!told || told === result) return;
    item.className = `result-${told}`;
    item.textContent = `${tag} · ${WORDS[told] ?? told} · ${told === "rejected" ? answer.reason
      : "as the server counted it"}`;
  });
}

function setRoom(code) {
  $("room").value = code;
  walk.room = code;
  stocktakes.put(walk);
  renderCounts();
}

function cell(text) {
  return Object.assign(document.createElement("td"), { textContent: String(text) });
}

function renderCounts() {
  const { total, rooms } = stocktakes.tally(walk);
  $("found").textContent = `${total.found} of ${total.expected} found`;
  $("found-detail").textContent = `· ${total.misplaced} misplaced · ${total.unexpected} not expected`;
  // A room's name heads its figures: five columns do not fit a phone's width.
  $("rooms").querySelectorAll("tbody").forEach((b) => b.remove());
  $("rooms").append(...rooms.map((room) => {
    const group = document.createElement("tbody");
    group.dataset.room = room.code ?? "";
    const head = Object.assign(document.createElement("th"), { colSpan: 4, scope: "rowgroup",
      textContent: room.name });
    const figures = document.createElement("tr");
    figures.append(cell(room.found), cell(room.expected), cell(room.misplaced), cell(room.unexpected));
    group.append(document.createElement("tr"), figures);
    group.firstChild.append(head);
    return group;
  }));
  renderTodo();
}

/** What is still to find in the room the walker is in, shrinking as it is counted. */
function renderTodo() {
  const room = walk.rooms.find((r) => r.code === $("room").value);
  if (!room) {
    $("todo-title").textContent = "Still to find";
    $("todo").replaceChildren(Object.assign(document.createElement("li"), { className: "muted",
      textContent: "Choose the room (or scan its tag) to see what is still to find there." }));
    return;
  }
  const left = stocktakes.stillToFind(walk, room.code);
  $("todo-title").textContent = `Still to find in ${room.name}: ${left.length}`;
  const shown = left.slice(0, TODO_SHOWN);
  const items = shown.map((tag) => {
    const item = document.createElement("li");
    item.dataset.tag = tag;
    item.append(Object.assign(document.createElement("strong"), { textContent: tag }));
    if (names.get(tag)) item.append(` · ${names.get(tag)}`);
    return item;
  });
  // Names come from the phone's register, looked up only for the lines shown.
  const unnamed = shown.filter((tag) => !names.has(tag));
  if (unnamed.length) {
    Promise.all(unnamed.map(async (tag) => names.set(tag, (await catalog.resolve(tag))?.name ?? "")))
      .then(() => { if (walk) renderTodo(); });
  }
  if (!left.length) {
    items.push(Object.assign(document.createElement("li"), { className: "muted",
      textContent: "Everything expected here has been counted." }));
  } else if (left.length > TODO_SHOWN) {
    items.push(Object.assign(document.createElement("li"), { className: "muted",
      textContent: `… and ${left.length - TODO_SHOWN} more.` }));
  }
  $("todo").replaceChildren(...items);
}

// ---- following the server

stocktakes.events.addEventListener("closed", async ({ detail }) => {
  const walking = walk?.id === detail.id;
  if (walking) stopCamera();
  if (walking || !$("choose").hidden) await showChoices();
  say(`The stock-take of ${detail.location_name} was ${detail.status === "gone" ? "removed"
    : detail.status} on the server: this phone takes no more scans for it.`, true);
});
stocktakes.events.addEventListener("updated", async ({ detail }) => {
  if (walk?.id !== detail.id) return;
  const fresh = await stocktakes.get(detail.id);
  if (fresh) walk = { ...fresh, room: $("room").value };
  renderCounts();
});

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

globalThis.tagtrail = { ready, count, openStocktake, outbox, catalog, stocktakes };
