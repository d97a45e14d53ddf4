// My work: the open work orders given to whoever is signed in, kept on this phone for places
// without signal. Starting, pausing for parts and resuming are events in the outbox like any
// other field action: the list shows them at once, the server applies them on sync.
import { NetworkError, getJSON } from "../lib/api.js";
import { meta, store } from "../lib/idb.js";
import * as outbox from "../offline/outbox.js";
import { registerApp } from "../pwa/register.js";
import { checkSession } from "../pwa/session.js";
import { mountSyncBar } from "../pwa/syncbar.js";

const $ = (id) => document.getElementById(id);
const work = store("work");
const CLOSED = new Set(["done", "cancelled"]);
const PER_PAGE = 200;
// What the phone offers in each status: [button, event type, data, status it leads to].
const STEPS = {
  open: [["Start work", "work_order_start", {}, "in_progress"]],
  in_progress: [["Pause: waiting for parts", "work_order_update", { status: "waiting_parts" }, "waiting_parts"]],
  waiting_parts: [["Parts are here: resume", "work_order_update", { status: "in_progress" }, "in_progress"]],
};
const RESULTS = { pass: "pass", fail: "fail", na: "n/a" };

/** The orders as the server has them, kept on the phone for next time. */
async function download() {
  const { user } = await getJSON("/api/v1/session");
  const query = new URLSearchParams({ assignee: user.email, per_page: String(PER_PAGE) });
  const { items } = await getJSON(`/api/v1/work-orders?${query}`);
  const mine = items.filter((order) => !CLOSED.has(order.status));
  await work.clear();
  await work.putMany(mine);
  await meta.set("workFetched", new Date().toISOString());
  return mine;
}

/** Each order's status once the steps still waiting in the outbox are applied. */
async function waitingStatus() {
  const status = new Map();
  for (const event of await outbox.list()) {
    if (event.state !== "pending" || !event.data?.work_order) continue;
    if (event.type === "work_order_start") status.set(event.data.work_order, "in_progress");
    if (event.type === "work_order_update" && event.data.status) status.set(event.data.work_order, event.data.status);
  }
  return status;
}

function item(order, status, waiting) {
  const node = $("work-item").content.firstElementChild.cloneNode(true);
  const put = (name, text) => { node.querySelector(`[data-f="${name}"]`).textContent = text; };
  put("number", order.number);
  put("title", order.title);
  put("asset", order.asset);
  put("asset_name", order.asset_name);
  put("status", status.replace(/_/g, " ") + (waiting ? " (waiting to sync)" : ""));
  put("priority", order.priority);
  put("due", order.due ?? "—");
  node.querySelector('[data-f="asset"]').href = `/scan?tag=${encodeURIComponent(order.asset)}`;
  node.dataset.order = order.number;
  node.querySelector('[data-f="checklist"]').replaceChildren(...order.checklist.map((line) =>
    Object.assign(document.createElement("li"),
      { textContent: line.item + (line.result ? ` — ${RESULTS[line.result]}` : "") })));
  for (const [label, type, data] of STEPS[status] ?? []) {
    const button = Object.assign(document.createElement("button"), { type: "button", className: "button", textContent: label });
    button.addEventListener("click", async () => {
      button.disabled = true;
      await outbox.enqueue({ type, asset: order.asset, data: { work_order: order.id, ...data } });
      await render();
    });
    node.querySelector('[data-f="actions"]').append(button);
  }
  return node;
}

async function render() {
  const orders = (await work.all()).sort((a, b) =>
    (a.due ?? "9999").localeCompare(b.due ?? "9999") || a.number.localeCompare(b.number));
  const waiting = await waitingStatus();
  $("work-list").replaceChildren(...orders.map((order) =>
    item(order, waiting.get(order.id) ?? order.status, waiting.has(order.id))));
  return orders;
}

async function load() {
  let note = "";
  try {
    const mine = await download();
    if (!mine.length) note = "Nothing is given to you right now.";
  } catch (err) {
    if (!(err instanceof NetworkError) && err.status !== 401) throw err;
    const when = await meta.get("workFetched");
    note = when ? `No connection: your work as this phone last downloaded it, at ${when.slice(0, 16).replace("T", " ")} UTC.`
      : "No connection, and this phone has not downloaded your work yet.";
  }
  await render();
  $("work-note").textContent = note;
}

const ready = (async () => {
  await checkSession();
  await registerApp(() => {}).catch(() => null);
  await mountSyncBar();
  await load();
  outbox.flush();
})();

// Once the outbox has sent what waited, ask the server again: the steps are its now.
let again = null;
function reloadSoon() {
  clearTimeout(again);
  again = setTimeout(() => { if (navigator.onLine) load().catch(() => {}); }, 300);
}
outbox.changes.addEventListener("change", () => { if (!outbox.status().syncing) reloadSoon(); });
addEventListener("online", reloadSoon);

globalThis.tagtrail = { ready, outbox, load };
