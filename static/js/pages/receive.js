// Receiving at the dock: pick the purchase order (or scan the QR code on its PDF) and the line,
// scan the serials one after another with the camera or a handheld scanner, and receive them.
// The receipt goes through the outbox under an id made here, so a retried or doubly-synced
// receipt creates nothing twice; the server refuses, with a reason shown here, one that would
// over-receive (another phone's receipt may have counted first).
import { NetworkError, getJSON } from "../lib/api.js";
import { meta } from "../lib/idb.js";
import * as catalog from "../offline/catalog.js";
import * as outbox from "../offline/outbox.js";
import { registerApp } from "../pwa/register.js";
import { checkSession } from "../pwa/session.js";
import { mountSyncBar } from "../pwa/syncbar.js";
import { success } from "../scan/feedback.js";
import { picker } from "../scan/picker.js";
import { startScanner } from "../scan/scanner.js";

const $ = (id) => document.getElementById(id);
const OPEN = ["sent", "partly_received"];
let orders = []; // as the server last gave them, kept for offline
let serials = [];
let scanner = null;

async function download() {
  const open = [];
  for (const status of OPEN) {
    for (let page = 1; ; page++) {
      const { items, more } = await getJSON(`/api/v1/purchase-orders?status=${status}&per_page=200&page=${page}`);
      open.push(...items);
      if (!more) break;
    }
  }
  await meta.set("receivingOrders", open);
  return open;
}

/** What is still to come on each line, less what this phone has queued and not yet sent. */
async function toCome(order) {
  const queued = (await outbox.list()).filter((e) => e.state === "pending" && e.type === "receipt"
    && e.order === order.number).flatMap((e) => e.data.lines);
  return Object.fromEntries(order.lines.map((line) => [line.line,
    line.quantity + line.tolerance - line.received
    - queued.filter((q) => q.line === line.line).reduce((n, q) => n + q.units.length, 0)]));
}

async function showOrder() {
  const order = orders.find((o) => o.number === $("order").value);
  const left = order ? await toCome(order) : {};
  $("line").replaceChildren(...(order?.lines ?? []).map((line) => new Option(
    `${line.line}: ${line.model} (${left[line.line]} to come of ${line.quantity})`, String(line.line))));
}

function say(text, bad = false) {
  $("message").textContent = text;
  $("message").classList.toggle("error", bad);
  if (bad) navigator.vibrate?.([120, 60, 120]);
}

function renderSerials() {
  $("serials").replaceChildren(...serials.map((serial) => Object.assign(document.createElement("li"), { textContent: serial })));
  $("submit-receipt").textContent = serials.length ? `Receive ${serials.length}` : "Receive";
}

/** A scanned code: an order's QR code picks the order; anything else is the next serial. */
function scanned(text) {
  const code = text.trim();
  if (!code) return;
  const order = orders.find((o) => o.number.toUpperCase() === code.toUpperCase());
  if (order) {
    $("order").value = order.number;
    showOrder();
    return say(`Receiving on ${order.number} (${order.supplier}).`);
  }
  if (serials.some((s) => s.toUpperCase() === code.toUpperCase())) return say(`${code} is scanned already.`, true);
  serials.push(code);
  renderSerials();
  say(`${code} added.`);
}

async function receive(e) {
  e.preventDefault();
  if (!serials.length) return say("Scan or type at least one serial first.", true);
  const number = $("order").value;
  const line = Number($("line").value);
  const order = orders.find((o) => o.number === number);
  if ((await toCome(order))[line] < serials.length) {
    return say(`Line ${line} has room for ${(await toCome(order))[line]} more; ${serials.length} scanned.`, true);
  }
  const queued = await outbox.enqueuePost({
    url: `/api/v1/purchase-orders/${encodeURIComponent(number)}/receipts`, type: "receipt",
    label: `Receipt on ${number}`, asset: number, order: number,
    body: { location: $("location").value.trim(), lines: [{ line, units: serials.map((serial) => ({ serial })) }] } });
  say(`${serials.length} queued for ${number}${navigator.onLine ? "" : "; they will be received when there is signal"}.`);
  serials = [];
  renderSerials();
  await showOrder();
  await renderReceipts();
  outbox.settled(queued.id).then(async ({ status, reason }) => {
    say(status === "rejected" ? `The receipt on ${number} was refused: ${reason}` : `Received on ${number}.`, status === "rejected");
    await load();
  });
}

async function renderReceipts() {
  const mine = (await outbox.list()).filter((e) => e.type === "receipt");
  $("receipts").replaceChildren(...mine.map((entry) => {
    const units = entry.data.lines.reduce((n, l) => n + l.units.length, 0);
    const state = entry.state === "pending" ? "waiting to sync" : `${entry.state}: ${entry.reason}`;
    const item = Object.assign(document.createElement("li"), { className: "card", textContent: `${entry.order}: ${units} unit${units === 1 ? "" : "s"} — ${state}` });
    item.dataset.state = entry.state;
    return item;
  }));
}

async function load() {
  let note = "";
  try {
    orders = await download();
    if (!orders.length) note = "No order is waiting to be received.";
  } catch (err) {
    if (!(err instanceof NetworkError) && err.status !== 401) throw err;
    orders = (await meta.get("receivingOrders")) ?? [];
    note = orders.length ? "No connection: the orders as this phone last downloaded them." : "No connection, and this phone has no orders yet.";
  }
  const chosen = $("order").value;
  $("order").replaceChildren(new Option("—", ""), ...orders.map((o) => new Option(`${o.number} · ${o.supplier}`, o.number)));
  $("order").value = orders.some((o) => o.number === chosen) ? chosen : "";
  await showOrder();
  await renderReceipts();
  $("receive-note").textContent = note;
}

$("order").addEventListener("change", showOrder);
$("receive-form").addEventListener("submit", receive);
$("serial").addEventListener("keydown", (e) => {
  if (e.key !== "Enter") return;
  e.preventDefault(); // Enter adds the serial; it does not receive the list
  scanned($("serial").value);
  $("serial").value = "";
});
$("add").addEventListener("click", () => { scanned($("serial").value); $("serial").value = ""; $("serial").focus(); });
$("start").addEventListener("click", async () => {
  $("viewfinder").hidden = false;
  try {
    scanner = await startScanner($("video"), ({ text }) => { success(); scanned(text); });
  } catch (err) {
    $("viewfinder").hidden = true;
    say(`The camera did not start (${err.message}): type the serials instead.`, true);
  }
});
$("stop").addEventListener("click", () => { scanner?.stop(); scanner = null; $("viewfinder").hidden = true; });

const ready = (async () => {
  await checkSession();
  await registerApp(() => {}).catch(() => null);
  await mountSyncBar();
  const place = $("location");
  place.parentNode.append(picker(place, await catalog.locations()));
  await load();
  outbox.flush();
})();
outbox.changes.addEventListener("change", () => { if (!outbox.status().syncing) renderReceipts(); });

globalThis.tagtrail = { ready, outbox, load };
