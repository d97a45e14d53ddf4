// The phone's copy of the register: assets (kept up to date by delta), locations and people,
// so scans resolve and pickers work with no signal; and what the server allows and describes
// (the actions per status, the event types with their fields), so forms work with none too.
import { getJSON } from "../lib/api.js";
import { meta, store, transact } from "../lib/idb.js";
import { effectOf } from "./effects.js";
import { parsePayload, variants } from "./payload.js";

const assets = store("assets");
const PAGE = 2000;
let types = null; // a promise of the cached event types: read once a page, replaced by refresh

const keyed = (asset) => ({ ...asset, key: asset.tag.toUpperCase() });

/** Fetch what changed since the last refresh; returns how many assets came in. */
export async function refresh(onProgress = () => {}) {
  const since = (await meta.get("since")) ?? "";
  let after = "";
  let received = 0;
  let serverTime = null;
  do {
    const page = await getJSON(`/api/v1/sync/catalog?since=${encodeURIComponent(since)}`
      + `&after=${encodeURIComponent(after)}&limit=${PAGE}`);
    serverTime ??= page.server_time;
    if (page.locations) await replace("locations", page.locations);
    if (page.people) await replace("people", page.people);
    if (page.actions) await meta.set("actions", page.actions);
    if (page.event_types) {
      await meta.set("event_types", page.event_types);
      types = Promise.resolve(page.event_types);
    }
    await saveAssets(page.assets);
    received += page.assets.length;
    onProgress(received);
    after = page.next ?? "";
  } while (after);
  await meta.set("since", serverTime);
  await meta.set("lastSync", new Date().toISOString()); // a good exchange with the server
  return received;
}

async function replace(name, rows) {
  await transact(name, "readwrite", (s) => { s[name].clear(); rows.forEach((r) => s[name].put(r)); });
}

export async function saveAssets(list) {
  await transact(["assets", "codes"], "readwrite", ({ assets: a, codes }) => {
    for (const asset of list) {
      a.put(keyed(asset));
      for (const code of asset.codes ?? []) codes.put({ key: code.toUpperCase(), asset: asset.tag.toUpperCase() });
    }
  });
}

/** The cached asset a scan names: by tag, extra code or serial (one match only), or null. */
export async function resolve(raw) {
  const { code } = parsePayload(raw);
  if (!code) return null;
  for (const key of variants(code)) {
    const hit = (await assets.get(key)) ?? (await byCode(key));
    if (hit) return hit;
  }
  for (const serial of new Set([code, code.toUpperCase(), code.toLowerCase()])) {
    const found = await assets.byIndex("serial", serial);
    if (found.length === 1) return found[0];
  }
  return null;
}

async function byCode(key) {
  const link = await store("codes").get(key);
  return link ? assets.get(link.asset) : null;
}

export const locations = () => store("locations").all();
export const people = () => store("people").all();
export const assetCount = () => assets.count();
export const actionsFor = async (status) => ((await meta.get("actions")) ?? {})[status] ?? [];

/** Cached assets whose tag, name, serial, model, place or holder holds every word of `text`
 *  (in any case), as the server's search reads its register; at most `limit`, by name. */
export async function search(text, limit = 10) {
  const words = String(text).toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return [];
  const found = [];
  for (const asset of await assets.all()) {
    const known = [asset.tag, asset.name, asset.serial, asset.model, asset.location_name,
      asset.assignee_name, ...(asset.codes ?? [])].filter(Boolean).join(" ").toLowerCase();
    if (words.every((w) => known.includes(w))) found.push(asset);
  }
  return found.sort((a, b) => a.name.localeCompare(b.name) || a.tag.localeCompare(b.tag))
    .slice(0, limit);
}

/** The event types the server described, by name; null until the catalogue first downloads. */
export function eventTypes() {
  types ??= meta.get("event_types").then((value) => value ?? null);
  return types;
}

/** The actions an asset's card offers, as [name, type]: those the server allows for its
 *  status and this person's role that are offered on the card. Null when the phone has no
 *  event types yet, so it cannot build their forms. */
export async function cardActions(asset) {
  const described = await eventTypes();
  if (!described) return null;
  const allowed = asset.actions ?? (await actionsFor(asset.status));
  return allowed.filter((name) => described[name]?.offered?.includes("card"))
    .map((name) => [name, described[name]]);
}

/** Show an action's expected effect on the cached asset until the server confirms it. */
export async function applyLocally(tag, type, data) {
  const asset = await assets.get(tag.toUpperCase());
  if (!asset) return;
  const described = (await eventTypes())?.[type];
  const effect = described ? effectOf(described, data) : {};
  const nameIn = async (rows, code) => (await store(rows).get(code))?.name ?? code;
  const next = { ...asset, pending: (asset.pending ?? 0) + 1 };
  if (effect.status && effect.status !== asset.status) {
    next.status = effect.status;
    delete next.actions; // what a lookup said the server allows was for the status before
  }
  if ("location" in effect) {
    Object.assign(next, { location: effect.location,
      location_name: await nameIn("locations", effect.location) });
  }
  for (const [key, value] of Object.entries(effect)) {
    if (value === false) next[key] = false; // a flag a field clears
  }
  if ("custody" in effect) {
    Object.assign(next, { assignee: effect.custody,
      assignee_name: effect.custody === null ? null : await nameIn("people", effect.custody) });
  }
  await assets.put(next);
}
