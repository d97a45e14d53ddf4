// My work: the open work orders given to whoever is signed in, and those due soon at the
// place this phone names, kept on the phone for places without signal. Every step (start,
// pause for parts, a checklist tick, parts, labour, photos, the completion with its
// signature, a follow-up order) is an event in the outbox like any other field action: the
// list shows it at once, the server applies it on sync.
import { ApiError, NetworkError } from "../lib/api.js";
import { meta } from "../lib/idb.js";
import { resizePhoto } from "../lib/photos.js";
import { signaturePad } from "../lib/signature.js";
import * as catalog from "../offline/catalog.js";
import * as outbox from "../offline/outbox.js";
import * as workorders from "../offline/workorders.js";
import { registerApp } from "../pwa/register.js";
import { checkSession } from "../pwa/session.js";
import { mountSyncBar } from "../pwa/syncbar.js";
import { picker } from "../scan/picker.js";

const $ = (id) => document.getElementById(id);
const COMPLETE = "complete"; // not an event of its own here: the step opens the completion form
// What the phone offers in each status: [button, event type, data].
const STEPS = {
  open: [["Start work", "work_order_start", {}]],
  in_progress: [["Pause: waiting for parts", "work_order_update", { status: "waiting_parts" }],
    ["Complete…", COMPLETE]],
  waiting_parts: [["Parts are here: resume", "work_order_update", { status: "in_progress" }],
    ["Complete…", COMPLETE]],
};
const RESULTS = [["pass", "Pass"], ["fail", "Fail"], ["na", "N/A"]];

const me = async () => (await meta.get("user"))?.email ?? "";
const photosOf = (input) => Promise.all([...input.files].map((f) => resizePhoto(f)));

async function send(order, type, data, extra = {}) {
  await outbox.enqueue({ type, asset: order.asset, data: { work_order: order.id, ...data }, ...extra });
  await render();
}

/** One tap on a failed line: a corrective order for it, given to me, linked to this one. */
async function followUp(order, line) {
  const data = { work_order: crypto.randomUUID(), kind: "corrective", assignee: await me(),
    title: `Follow-up: ${line.item}`.slice(0, 200), // as the order's page words it
    follow_up_of: order.id };
  await outbox.enqueue({ type: "work_order_open", asset: order.asset, data });
  await render();
}

function checkLine(order, line) {
  const node = $("check-line").content.firstElementChild.cloneNode(true);
  node.querySelector('[data-f="text"]').textContent = line.item;
  node.querySelector('[data-f="result"]').textContent = line.note ? `(${line.note})` : "";
  const group = node.querySelector(".check-results");
  group.setAttribute("aria-label", line.item);
  for (const [result, label] of RESULTS) {
    const button = Object.assign(document.createElement("button"), { type: "button", className: "button", textContent: label });
    button.setAttribute("aria-pressed", String(line.result === result));
    button.addEventListener("click", () => send(order, "work_order_update",
      { checklist: [{ item: line.position, result }] }));
    group.append(button);
  }
  if (line.result === "fail") {
    const button = Object.assign(document.createElement("button"), { type: "button", className: "button", textContent: "Open a follow-up order" });
    button.addEventListener("click", () => { button.disabled = true; followUp(order, line); });
    group.append(button);
  }
  return node;
}

function spent(order) {
  const parts = (order.parts ?? []).map((p) => `${p.quantity} × ${p.name}${p.cost ? ` (${p.cost})` : ""}`);
  return [order.labour_minutes ? `Labour ${order.labour_minutes} min` : "", parts.length ? `Parts: ${parts.join(", ")}` : "",
    order.photos ? `${order.photos} photo${order.photos === 1 ? "" : "s"} from this phone` : ""].filter(Boolean).join(" · ");
}

// How a box's text becomes an event's value, or a refusal in words the phone shows.
class Refusal extends Error {}
const READ = {
  text: (text) => text,
  minutes: (text) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) throw new Refusal("Minutes are a whole number from 0.");
    return n;
  },
  quantity: (text) => {
    const n = Number(text);
    if (!(n > 0)) throw new Refusal("A quantity is more than 0.");
    return n;
  },
  money: (text) => {
    if (!/^\d+([.,]\d{1,2})?$/.test(text)) throw new Refusal("A cost is a number such as 12.50.");
    return text.replace(",", ".");
  },
};

/** The boxes of `form` named in `kinds` that hold something, each read by its kind. */
function filled(form, kinds) {
  const data = {};
  for (const [name, kind] of Object.entries(kinds)) {
    const text = form.elements[name].value.trim();
    if (text) data[name] = READ[kind](text);
  }
  return data;
}

/** What the record form holds as an update's data and photos. */
async function recorded(form) {
  const { part, quantity = 1, cost, ...data } = filled(form, { part: "text", quantity: "quantity",
    cost: "money", labour_minutes: "minutes", note: "text" });
  if (part) data.parts = [{ name: part, quantity, ...(cost && { cost }) }];
  const photos = await photosOf(form.elements.photos);
  if (!Object.keys(data).length && !photos.length) throw new Refusal("Nothing to save: add a part, labour, a note or a photo.");
  return { data, photos };
}

/** Run `save`, or show the refusal it throws in `box`. */
async function refusing(box, save) {
  try {
    await save();
    box.hidden = true;
  } catch (err) {
    if (!(err instanceof Refusal)) throw err;
    Object.assign(box, { textContent: err.message, hidden: false });
  }
}

function recordForm(order, node) {
  const form = node.querySelector(".work-record");
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    refusing(form.querySelector('[data-f="error"]'), async () => {
      const { data, photos } = await recorded(form);
      await send(order, "work_order_update", data, { photos });
    });
  });
}

function item(order) {
  const node = $("work-item").content.firstElementChild.cloneNode(true);
  const put = (name, text) => { node.querySelector(`[data-f="${name}"]`).textContent = text; };
  put("number", order.number || "New (not synced yet)");
  put("title", order.title);
  put("asset", order.asset);
  put("asset_name", order.asset_name ?? "");
  put("status", order.status.replace(/_/g, " ") + (order.waiting ? " (waiting to sync)" : ""));
  put("priority", order.priority || "default");
  put("due", order.due ?? "—");
  put("assignee", order.assignee ?? "not given to anyone");
  put("reason", order.reason ?? "");
  put("spent", spent(order));
  node.querySelector('[data-f="asset"]').href = `/scan?tag=${encodeURIComponent(order.asset)}`;
  Object.assign(node.dataset, { order: order.number, id: order.id });
  node.querySelector('[data-f="checklist"]').replaceChildren(...order.checklist.map((line) => checkLine(order, line)));
  for (const [label, type, data] of STEPS[order.status] ?? []) {
    const button = Object.assign(document.createElement("button"), { type: "button", className: "button", textContent: label });
    button.addEventListener("click", () => {
      if (type === COMPLETE) return openCompletion(order);
      button.disabled = true;
      return send(order, type, data);
    });
    node.querySelector('[data-f="actions"]').append(button);
  }
  if (workorders.CLOSED.has(order.status)) node.querySelector('[data-f="record"]').remove();
  else recordForm(order, node);
  return node;
}

// ---- completing: what was done, and the technician's signature

let completing = null; // {order, pad}

function openCompletion(order) {
  const form = $("complete-form");
  form.reset();
  const pad = signaturePad("technician", "Technician's signature");
  $("c-signature").replaceChildren(pad.element);
  completing = { order, pad };
  $("complete-title").textContent = `Complete ${order.number || order.title}`;
  $("complete-error").hidden = true;
  $("complete").showModal();
}

async function completion(form) {
  const data = { work_done: form.elements.work_done.value.trim(), failure: form.elements.failure.checked,
    ...filled(form, { labour_minutes: "minutes", downtime_minutes: "minutes", downtime_reason: "text", cost: "money" }) };
  const signature = await completing.pad.blob();
  return { data, photos: await photosOf(form.elements.photos),
    signatures: signature ? { technician: signature } : {} };
}

$("complete-form").addEventListener("submit", (e) => {
  if (e.submitter?.value !== "save") return;
  e.preventDefault(); // the dialog closes once the completion is queued, not before
  const form = e.currentTarget;
  refusing($("complete-error"), async () => {
    const { data, photos, signatures } = await completion(form);
    $("complete").close();
    await send(completing.order, "work_order_complete", data, { photos, signatures });
  });
});

// ---- the list

async function render() {
  // A re-render keeps what was open and does not happen under someone's fingers.
  const open = new Set([...document.querySelectorAll("#work-list details[open]")].map((d) => d.closest("li").dataset.id));
  const orders = await workorders.withWaiting(await workorders.cached(), await outbox.list(), {
    me: await me(), assetName: async (tag) => (await catalog.resolve(tag))?.name ?? "" });
  orders.sort((a, b) => (a.due ?? "9999").localeCompare(b.due ?? "9999") || (a.number || "~").localeCompare(b.number || "~"));
  $("work-list").replaceChildren(...orders.map(item));
  for (const node of $("work-list").children) {
    if (open.has(node.dataset.id)) node.querySelector("details")?.setAttribute("open", "");
  }
  return orders;
}

async function load() {
  let note = "";
  const place = (await meta.get("workPlace")) ?? "";
  try {
    const orders = await workorders.download(await me(), place);
    if (!orders.length) note = place ? `Nothing is given to you or due at ${place} right now.` : "Nothing is given to you right now.";
  } catch (err) {
    if (err instanceof ApiError && err.status === 422) {
      note = `${err.message} Choose another place.`;
    } else {
      if (!(err instanceof NetworkError) && err.status !== 401) throw err;
      const when = await meta.get("workFetched");
      note = when ? `No connection: your work as this phone last downloaded it, at ${when.slice(0, 16).replace("T", " ")} UTC.`
        : "No connection, and this phone has not downloaded your work yet.";
    }
  }
  await render();
  $("work-note").textContent = note;
}

async function mountPlace() {
  const box = $("place");
  box.value = (await meta.get("workPlace")) ?? "";
  box.parentNode.append(picker(box, await catalog.locations())); // in the box's place: it was last
  const choose = async () => {
    if (box.value.trim() === ((await meta.get("workPlace")) ?? "")) return;
    await meta.set("workPlace", box.value.trim());
    await load();
  };
  box.addEventListener("picked", choose);
  box.addEventListener("change", choose);
  $("place-form").addEventListener("submit", (e) => { e.preventDefault(); choose(); });
}

const ready = (async () => {
  await checkSession();
  await registerApp(() => {}).catch(() => null);
  await mountSyncBar();
  await mountPlace();
  await load();
  outbox.flush();
})();

// Once the outbox has sent what waited, ask the server again: the steps are its now. Not
// while someone is typing into an order: the list would be drawn again under them.
let again = null;
function reloadSoon() {
  clearTimeout(again);
  again = setTimeout(() => {
    if (document.activeElement?.closest?.("#work-list form")) return reloadSoon();
    if (navigator.onLine) load().catch(() => {});
  }, 300);
}
outbox.changes.addEventListener("change", () => { if (!outbox.status().syncing) reloadSoon(); });
addEventListener("online", reloadSoon);

globalThis.tagtrail = { ready, outbox, load };
