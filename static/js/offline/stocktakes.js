// The stock-takes kept on this phone to walk offline, the desk's count definition applied to
// them, and following the server: a stock-take finished or cancelled there leaves the phone,
// and an open one takes the server's counts (what other phones counted, what it refused).
import { ApiError, getJSON } from "../lib/api.js";
import { store, transact } from "../lib/idb.js";

const copies = store("stocktakes");
export const events = new EventTarget(); // "closed" {id, location_name, status}, "updated" {id}

/** The phone's copy of stock-take `id`, its counts as {TAG: {result, room}}. */
export async function get(id) {
  const saved = await copies.get(id);
  return saved && upgraded(saved);
}

export const all = async () => (await copies.all()).map(upgraded);
export const put = (walk) => copies.put(walk);
export const hasStocktakes = async () => (await copies.count()) > 0;
/** Is stock-take `id` still on this phone (not finished meanwhile)? Without reading it all. */
export const kept = async (id) =>
  (await transact("stocktakes", "readonly", (s) => s.stocktakes.count(id))) > 0;

// Copies saved before counts kept their room held only the result.
function upgraded(walk) {
  const counted = {};
  for (const [tag, c] of Object.entries(walk.counted ?? {})) {
    counted[tag] = typeof c === "string" ? { result: c, room: null } : c;
  }
  return { ...walk, counted };
}

/** Download stock-take `id` as the server has it now, keeping the phone's room and what it
 *  counted that the server has not answered for yet (`pendingTags`, or counted meanwhile).
 *  Kept on the phone only while it is open; returns it with its `status` either way. */
export async function download(id, pendingTags = new Set()) {
  const started = new Date().toISOString();
  const fresh = await getJSON(`/api/v1/stocktakes/${id}`);
  const saved = await get(id);
  const counted = {};
  for (const c of fresh.counted) counted[c.tag.toUpperCase()] = { result: c.result, room: c.location };
  let synced = true;
  for (const [tag, mine] of Object.entries(saved?.counted ?? {})) {
    const meanwhile = Boolean(mine.at && mine.at >= started); // counted during the download
    if (meanwhile) synced = false;
    if (!counted[tag] && (pendingTags.has(tag) || meanwhile)) counted[tag] = mine;
  }
  const walk = { ...fresh, counted, room: saved?.room ?? "", synced,
    expected: Object.fromEntries(fresh.expected.map((e) => [e.tag.toUpperCase(), e.location])) };
  if (fresh.status === "open") await copies.put(walk);
  return walk;
}

/** Count one scan on the phone's copy, as the server will: the scan's result. */
export function classify(walk, tag, room) {
  if (walk.counted[tag]) return "already_counted";
  const expectedRoom = walk.expected[tag];
  if (expectedRoom === undefined) return "unexpected";
  return room && expectedRoom !== room ? "misplaced" : "found";
}

const zero = (code, name) => ({ code, name, expected: 0, found: 0, misplaced: 0, unexpected: 0 });

/** The desk's count (app/stocktakes/progress.py): per room, the assets expected there, of them
 *  those counted anywhere (found) and those counted in another room (misplaced), and those
 *  counted there that were not expected at all; an asset counts once however often scanned. */
export function tally(walk) {
  const rooms = new Map(walk.rooms.map((r) => [r.code, zero(r.code, r.name)]));
  const roomOf = (code) => {
    if (!rooms.has(code ?? "")) rooms.set(code ?? "", zero(code, code ? code : "(no room given)"));
    return rooms.get(code ?? "");
  };
  for (const [tag, at] of Object.entries(walk.expected)) {
    const room = roomOf(at);
    const count = walk.counted[tag];
    room.expected += 1;
    if (count) room.found += 1;
    if (count?.room && count.room !== at) room.misplaced += 1;
  }
  for (const [tag, count] of Object.entries(walk.counted)) {
    if (walk.expected[tag] === undefined) roomOf(count.room).unexpected += 1;
  }
  const total = zero(walk.location, walk.location_name);
  for (const room of rooms.values()) {
    for (const key of ["expected", "found", "misplaced", "unexpected"]) total[key] += room[key];
  }
  return { total, rooms: [...rooms.values()].filter((r) => r.expected || r.unexpected) };
}

/** The expected assets of `room` not counted yet, by tag. */
export function stillToFind(walk, room) {
  return Object.keys(walk.expected).filter((t) => walk.expected[t] === room && !walk.counted[t])
    .sort();
}

/** After a sync: drop the stock-takes the server no longer has open, and take the server's
 *  counts for those this phone counted in since it last did. `pending`: the outbox entries
 *  not yet answered. */
export async function followStocktakes(pending = []) {
  const saved = await all();
  if (!saved.length) return;
  const open = new Set((await getJSON("/api/v1/stocktakes?status=open")).items.map((s) => s.id));
  for (const walk of saved) {
    if (open.has(walk.id) && walk.synced) continue;
    const waiting = new Set(pending.filter((e) => e.type === "stocktake_scan"
      && e.data.stocktake === walk.id).map((e) => e.asset.toUpperCase()));
    let status = "gone";
    try {
      status = (await download(walk.id, waiting)).status;
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) throw err;
    }
    if (status === "open") {
      events.dispatchEvent(new CustomEvent("updated", { detail: { id: walk.id } }));
      continue;
    }
    await copies.remove(walk.id);
    events.dispatchEvent(new CustomEvent("closed",
      { detail: { id: walk.id, location_name: walk.location_name, status } }));
  }
}
