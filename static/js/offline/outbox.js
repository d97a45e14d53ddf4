// Field actions waiting to reach the server, with their photos. Every action goes through
// here, online or not; flush() sends photos first, then the events, and only removes what the
// server has answered for.
import { ApiError, NetworkError, getJSON, postJSON, putBlob } from "../lib/api.js";
import { meta, store } from "../lib/idb.js";
import { refresh } from "./catalog.js";

const outbox = store("outbox");
const blobs = store("blobs");
const BATCH = 200;
export const changes = new EventTarget(); // "change" whenever the outbox or its state moves

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

export const list = async () => (await outbox.all()).sort((a, b) => a.occurred_at.localeCompare(b.occurred_at));
export const status = () => state;

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
  const waiting = (await list()).filter((e) => e.state === "pending");
  if (!waiting.length) return announce({ problem: "" });
  if (!navigator.onLine) return announce({ problem: "offline" });
  announce({ syncing: true, sent: 0, total: waiting.length, problem: "" });
  try {
    await uploadPhotos(waiting);
    for (let i = 0; i < waiting.length; i += BATCH) {
      const batch = waiting.slice(i, i + BATCH);
      const reply = await withFreshToken(() => postJSON("/api/v1/sync", {
        device_id: deviceId(),
        events: batch.map(({ id, type, asset, occurred_at, base_version, data }) =>
          ({ id, type, asset, occurred_at, base_version, data })),
      }));
      for (const result of reply.results) await settle(result);
      announce({ sent: Math.min(i + BATCH, waiting.length) });
    }
    await meta.set("lastSync", new Date().toISOString());
    announce({ syncing: false, problem: "" });
    await refresh().catch(() => {}); // the server's versions of what just changed
    announce();
  } catch (err) {
    const problem = err instanceof ApiError && err.status === 401 ? "signin"
      : err instanceof NetworkError || err.status >= 500 ? "offline" : err.message;
    announce({ syncing: false, problem });
  }
}

async function settle({ id, status, reason }) {
  if (status === "applied" || status === "duplicate") return outbox.remove(id);
  const event = await outbox.get(id);
  if (event) await outbox.put({ ...event, state: status, reason });
}

async function uploadPhotos(events) {
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
        await outbox.put({ ...event, state: "rejected", reason: `Photo refused: ${err.message}` });
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
setInterval(async () => { if ((await list()).some((e) => e.state === "pending")) flush(); }, 120_000);
