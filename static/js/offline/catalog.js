// The phone's copy of the register: assets (kept up to date by delta), locations and people,
// so scans resolve and pickers work with no signal.
import { getJSON } from "../lib/api.js";
import { meta, store, transact } from "../lib/idb.js";
import { parsePayload, variants } from "./payload.js";

const assets = store("assets");
const PAGE = 2000;

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

/** Show an action's expected effect on the cached asset until the server confirms it. */
export async function applyLocally(tag, type, data) {
  const asset = await assets.get(tag.toUpperCase());
  if (!asset) return;
  const place = async (code) => (await store("locations").get(code))?.name ?? code;
  const next = { ...asset, pending: (asset.pending ?? 0) + 1 };
  const STATUS = { check_in: "in_stock", check_out: "deployed", mark_lost: "missing",
    mark_found: "in_stock", retire: "retired", wipe: "wiped", dispose: "disposed" };
  if (STATUS[type]) next.status = STATUS[type];
  if (type === "repair" && data.status === "open") next.status = "in_repair";
  if (type === "repair" && data.status === "closed") next.status = "in_stock";
  const where = data.to_location ?? data.location;
  if (where) Object.assign(next, { location: where, location_name: await place(where) });
  if (type === "check_out") {
    const person = await store("people").get(data.assignee);
    Object.assign(next, { assignee: data.assignee, assignee_name: person?.name ?? data.assignee });
  }
  if (["check_in", "retire", "dispose"].includes(type)) Object.assign(next, { assignee: null, assignee_name: null });
  await assets.put(next);
}
