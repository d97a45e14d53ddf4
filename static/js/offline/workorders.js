// The phone's copy of the work orders it shows on My work: the orders as the server last gave
// them, with the steps still waiting in the outbox laid over them, so an order started, ticked
// or completed without signal reads as done here at once, and an order opened here (its id
// made on this phone) can be worked before it has ever reached the server.
import { getJSON } from "../lib/api.js";
import { meta, store } from "../lib/idb.js";

const work = store("work");
const PER_PAGE = 200;
export const CLOSED = new Set(["done", "cancelled"]);
export const AHEAD_DAYS = 14; // what is due at the phone's place this soon is listed too

/** Every page of `query`'s orders: My work keeps all of them, with no cap. */
async function everyPage(query) {
  const orders = [];
  for (let page = 1; ; page++) {
    const { items, more } = await getJSON(`/api/v1/work-orders?${query}&per_page=${PER_PAGE}&page=${page}`);
    orders.push(...items);
    if (!more) return orders;
  }
}

const inDays = (days) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** Download the orders given to `email` and those due at `place` (a location's code) within
 *  AHEAD_DAYS, and keep them, in place of the last copy. */
export async function download(email, place) {
  const mine = await everyPage(new URLSearchParams({ assignee: email, active: "1" }));
  const due = place ? await everyPage(new URLSearchParams({ place, active: "1", due_by: inDays(AHEAD_DAYS) })) : [];
  const orders = new Map([...due, ...mine].map((o) => [o.id, o]));
  await work.clear();
  await work.putMany([...orders.values()]);
  await meta.set("workFetched", new Date().toISOString());
  return [...orders.values()];
}

export const cached = () => work.all();

/** A new order as the phone knows it from its opening event, before the server numbers it. */
function opened(event, assetName) {
  const { data } = event;
  return {
    id: data.work_order, number: "", asset: event.asset, asset_name: assetName,
    kind: data.kind ?? "corrective", title: data.title, priority: data.priority ?? "",
    status: "open", due: data.due ?? null, assignee: data.assignee ?? null,
    checklist: (data.checklist ?? []).map((item, n) => ({ position: n + 1, item, result: null, note: "" })),
    parts: [], labour_minutes: 0, photos: 0, follow_up_of: data.follow_up_of ?? null,
  };
}

/** `order` with one more of its events applied, as the server will apply it. */
export function fold(order, { type, data }) {
  const next = { ...order, photos: (order.photos ?? 0) + (data.photos?.length ?? 0) };
  if (type === "work_order_start") next.status = "in_progress";
  if (type === "work_order_update") {
    if (data.status) next.status = data.status;
    next.labour_minutes = (order.labour_minutes ?? 0) + (data.labour_minutes ?? 0);
    next.parts = [...(order.parts ?? []), ...(data.parts ?? [])];
    next.checklist = order.checklist.map((line) => {
      const ticked = (data.checklist ?? []).filter((c) => c.item === line.position || c.item === line.item);
      return ticked.reduce((l, c) => ({ ...l, result: c.result,
        note: [l.note, c.note].filter(Boolean).join("\n") }), line);
    });
  }
  if (type === "work_order_complete") {
    Object.assign(next, { status: "done", work_done: data.work_done, failure: data.failure });
    next.labour_minutes = (order.labour_minutes ?? 0) + (data.labour_minutes ?? 0);
  }
  if (type === "work_order_cancel") next.status = "cancelled";
  return next;
}

/** The orders to show: the cached ones and those opened on this phone for `me` (an e-mail),
 *  each with the `events` (the outbox's entries) still waiting for it applied and counted in
 *  `waiting`; `assetName(tag)` names a new order's asset. */
export async function withWaiting(orders, events, { me, assetName }) {
  const byId = new Map(orders.map((o) => [o.id, { ...o, waiting: 0 }]));
  for (const event of events) {
    const ident = event.data?.work_order;
    if (event.state !== "pending" || !ident || !event.type.startsWith("work_order_")) continue;
    let order = byId.get(ident);
    if (event.type === "work_order_open") {
      if (order || event.data.assignee?.toLowerCase() !== me?.toLowerCase()) continue;
      order = { ...opened(event, await assetName(event.asset)), waiting: 0 };
    } else if (!order) {
      continue; // an order this phone does not list (someone else's, or since closed)
    } else {
      order = fold(order, event);
    }
    byId.set(ident, { ...order, waiting: order.waiting + 1 });
  }
  return [...byId.values()];
}
