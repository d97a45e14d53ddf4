// Field actions waiting to reach the server, with their photos. Every action goes through
// here, online or not; flush() sends photos first, then the events (and the stock-take's
// unknown codes), and only removes what the server has answered for. After each exchange the
// phone follows the server: the register's changes, the server's copy of assets whose change
// was refused, conflicts a manager has resolved, stock-takes finished meanwhile.
import { ApiError, NetworkError, getJSON, postJSON, putBlob } from "../lib/api.js";
import { meta, store } from "../lib/idb.js";
import { refresh, saveAssets } from "./catalog.js";
import { followStocktakes, hasStocktakes } from "./stocktakes.js";

const outbox = store("outbox");
const blobs = store("blobs");
const BATCH = 200;
export const changes = new EventTarget(); // "change" whenever the outbox or its state moves
// "outcome" (detail {id, status, reason, result?}) when the server answers for an entry
const outcomes = new Map(); // this page's answers so far, by id
/** The answers that leave a change unapplied; they stay in the outbox until dismissed. */
export const PROBLEMS = new Set(["rejected", "conflict"]);

let state = { syncing: false, sent: 0, total: 0, problem: "" };
const announce = (patch = {}) => {
  state = { ...state, ...patch };
  changes.dispatchEvent(new Event("change"));
};

export function deviceId() {
  let id = localStorage.getItem("tagtrail-device");
  if (!id) localStorage.setItem("tagtrail-device", (id = crypto.randomUUID()));
  return id;
}

async function sha256(blob) {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Queue one event (and its photos) and try to send it. Returns the queued event. */
export async function enqueue({ type, asset, data = {}, baseVersion = null, photos = [],
  signatures = {} }) {
  const keep = async (blob) => {
    const hash = await sha256(blob);
    await blobs.put({ sha256: hash, blob, uploaded: false });
    return hash;
  };
  const hashes = [];
  for (const blob of photos) hashes.push(await keep(blob));
  const signed = {};
  for (const [who, blob] of Object.entries(signatures)) signed[who] = await keep(blob);
  const event = {
    id: crypto.randomUUID(), type, asset, base_version: baseVersion,
    occurred_at: new Date().toISOString(),
    data: { ...data, ...(hashes.length && { photos: hashes }),
      ...(Object.keys(signed).length && { signatures: signed }) },
    state: "pending", reason: "",
  };
  await outbox.put(event);
  announce();
  navigator.serviceWorker?.ready.then((r) => r.sync?.register("outbox")).catch(() => {});
  flush();
  return event;
}

/** Queue a document's POST that is not an asset's event (a stock-take's unknown code, a
 *  purchase request): `body` goes to `url` under the entry's own id, once the events before
 *  it have synced, so a retry is kept once. `label` names it in the list of problems, `asset`
 *  what it is about. */
export async function enqueuePost({ url, body, type, label, asset = "", ...rest }) {
  const entry = { id: crypto.randomUUID(), kind: "post", url, type, label, asset, data: body,
    occurred_at: new Date().toISOString(), state: "pending", reason: "", ...rest };
  await outbox.put(entry);
  announce();
  flush();
  return entry;
}

/** A code scanned in a stock-take that names no asset, for the stock-take's report. */
export const enqueueUnknown = ({ stocktake, code, location = "" }) => enqueuePost({
  url: `/api/v1/stocktakes/${stocktake}/unknown`, type: "stocktake_unknown", label: "Unknown code",
  asset: code, stocktake, body: { code, occurred_at: new Date().toISOString(), ...(location && { location }) } });

export const list = async () => (await outbox.all()).sort((a, b) => a.occurred_at.localeCompare(b.occurred_at));
export const status = () => state;

/** What the server answered for entry `id`: resolves with {status, reason, result?} once it
 *  has (at once when it already has, on this page). */
export function settled(id) {
  if (outcomes.has(id)) return Promise.resolve(outcomes.get(id));
  return new Promise((resolve) => {
    const hear = (e) => {
      if (e.detail.id !== id) return;
      changes.removeEventListener("outcome", hear);
      resolve(e.detail);
    };
    changes.addEventListener("outcome", hear);
  });
}

export async function retry(id) {
  const event = await outbox.get(id);
  if (event) await outbox.put({ ...event, state: "pending", reason: "" });
  announce();
  return flush();
}

export async function discard(id) {
  await outbox.remove(id);
  announce();
}

let inFlight = null;
let again = false;
/** Send what waits; one run at a time. A call during a run asks for one more run after it,
 *  so what was queued meanwhile does not wait for the next trigger. */
export function flush() {
  if (inFlight) {
    again = true;
    return inFlight;
  }
  inFlight = (async () => {
    do {
      again = false;
      await send();
    } while (again);
  })().finally(() => { inFlight = null; });
  return inFlight;
}

async function send() {
  const all = await list();
  const waiting = all.filter((e) => e.state === "pending");
  if (!navigator.onLine) return announce({ problem: waiting.length ? "offline" : "" });
  if (!waiting.length && !(await worthAsking(all))) return announce({ problem: "" });
  announce({ syncing: waiting.length > 0, sent: 0, total: waiting.length, problem: "" });
  const refused = new Set(); // tags whose change the server did not apply
  try {
    const events = waiting.filter((e) => !POSTS.has(e.kind));
    await uploadPhotos(events, refused);
    for (let i = 0; i < events.length; i += BATCH) {
      const batch = events.slice(i, i + BATCH);
      const reply = await withFreshToken(() => postJSON("/api/v1/sync", {
        device_id: deviceId(),
        events: batch.map(({ id, type, asset, occurred_at, base_version, data }) =>
          ({ id, type, asset, occurred_at, base_version, data })),
      }));
      for (const result of reply.results) {
        await settle(result);
        if (PROBLEMS.has(result.status)) refused.add(batch.find((e) => e.id === result.id)?.asset);
      }
      announce({ sent: Math.min(i + BATCH, events.length) });
    }
    for (const entry of waiting.filter((e) => POSTS.has(e.kind))) await sendPost(entry);
    if (waiting.length) await meta.set("lastSync", new Date().toISOString());
    announce({ syncing: false, problem: "" });
    await follow(refused);
    announce();
  } catch (err) {
    const problem = err instanceof ApiError && err.status === 401 ? "signin"
      : err instanceof NetworkError || err.status >= 500 ? "offline" : err.message;
    announce({ syncing: false, problem });
  }
}

/** Nothing to send: is there anything the server may have changed that the phone shows? */
async function worthAsking(all) {
  return all.some((e) => e.state === "conflict") || (await hasStocktakes());
}

async function settle(result) {
  const { id, status, reason } = result;
  outcomes.set(id, result);
  if (status === "applied" || status === "duplicate") await outbox.remove(id);
  else {
    const event = await outbox.get(id);
    if (event) await outbox.put({ ...event, state: status, reason });
  }
  changes.dispatchEvent(new CustomEvent("outcome", { detail: result }));
}

// "unknown": a stock-take's unknown code queued before posts had a kind of their own.
const POSTS = new Set(["post", "unknown"]);
const legacy = (entry) => ({ url: `/api/v1/stocktakes/${entry.stocktake}/unknown`,
  body: { occurred_at: entry.occurred_at, ...entry.data } });

async function sendPost(entry) {
  const { url, body } = entry.kind === "unknown" ? legacy(entry) : { url: entry.url, body: entry.data };
  try {
    await withFreshToken(() => postJSON(url, { id: entry.id, ...body }));
    await settle({ id: entry.id, status: "applied", reason: "" });
  } catch (err) {
    if (!(err instanceof ApiError) || err.status === 401 || err.status >= 500) throw err;
    await settle({ id: entry.id, status: "rejected", reason: err.message });
  }
}

/** After an exchange, the phone shows what the server has: the register's changes, its copy
 *  of each asset whose change it refused (not the change the phone expected), the conflicts
 *  resolved meanwhile, and no stock-take that is no longer open. */
async function follow(refused) {
  await refresh().catch(() => {});
  const pending = new Set((await list()).filter((e) => e.state === "pending").map((e) => e.asset));
  for (const tag of refused) {
    if (!tag || pending.has(tag)) continue; // its other changes still wait: keep the phone's view
    try {
      await saveAssets([await getJSON(`/api/v1/scan?payload=${encodeURIComponent(tag)}`)]);
    } catch {
      // Gone or unreachable: the next sync tries again.
    }
  }
  await followConflicts();
  await followStocktakes((await list()).filter((e) => e.state === "pending"));
}

const RESOLUTIONS = { keep_current: "a manager kept the asset as it was",
  apply_theirs: "a manager applied this change" };

/** Conflicts this phone is waiting on that a manager has resolved since. */
async function followConflicts() {
  const waiting = new Map((await list()).filter((e) => e.state === "conflict")
    .map((e) => [e.id.toLowerCase(), e]));
  for (let page = 1; waiting.size && page <= 20; page += 1) {
    const reply = await getJSON(`/api/v1/conflicts?status=resolved&device=${
      encodeURIComponent(deviceId())}&per_page=500&page=${page}`);
    for (const item of reply.items) {
      const event = waiting.get(item.event_id.toLowerCase());
      if (!event) continue;
      const [choice, ...note] = item.resolution.split(": ");
      const words = RESOLUTIONS[choice] ?? "a manager resolved it";
      await outbox.put({ ...event, state: "resolved",
        reason: `Resolved: ${words}${note.length ? ` (${note.join(": ")})` : ""}.` });
      waiting.delete(item.event_id.toLowerCase());
    }
    if (page * reply.per_page >= reply.total) break;
  }
}

async function uploadPhotos(events, refused) {
  const blobsOf = (e) => [...(e.data.photos ?? []), ...Object.values(e.data.signatures ?? {})];
  const needed = new Set(events.flatMap(blobsOf));
  for (const hash of needed) {
    const entry = await blobs.get(hash);
    if (!entry || entry.uploaded) continue;
    try {
      await withFreshToken(() => putBlob(`/api/v1/blobs/${hash}`, entry.blob));
    } catch (err) {
      if (!(err instanceof ApiError) || err.status === 401 || err.status >= 500) throw err;
      // The server refuses this photo for good: hold back the events that carry it.
      for (const event of events.filter((e) => blobsOf(e).includes(hash))) {
        await settle({ id: event.id, status: "rejected", reason: `Photo refused: ${err.message}` });
        refused.add(event.asset);
        event.state = "rejected";
      }
      continue;
    }
    await blobs.put({ ...entry, uploaded: true });
  }
  events.splice(0, events.length, ...events.filter((e) => e.state === "pending"));
}

/** CSRF tokens belong to the session; a page cached days ago may hold a stale one. */
async function withFreshToken(call) {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof ApiError && err.code === "csrf_failed")) throw err;
    const { csrf_token: token } = await getJSON("/api/v1/session");
    document.querySelector('meta[name="csrf-token"]').content = token;
    return call();
  }
}

// Every trigger that works on every phone; Background Sync (in sw.js) is an extra one.
addEventListener("online", flush);
document.addEventListener("visibilitychange", () => { if (!document.hidden) flush(); });
navigator.serviceWorker?.addEventListener("message", (e) => { if (e.data?.type === "flush") flush(); });
setInterval(async () => {
  const all = await list();
  if (all.some((e) => e.state === "pending") || (await worthAsking(all))) flush();
}, 120_000);
