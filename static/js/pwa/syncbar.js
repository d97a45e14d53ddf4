// The bar on every phone screen: what waits, when it last synced, what failed and why.
import { meta } from "../lib/idb.js";
import { eventTypes } from "../offline/catalog.js";
import * as outbox from "../offline/outbox.js";

const $ = (id) => document.getElementById(id);
const OLD_OUTBOX_MS = 60 * 60 * 1000; // warn when something has waited longer than this
const NOTES = {
  offline: "No connection: changes wait on this phone and sync by themselves.",
  signin: "Your sign-in has expired. Nothing is lost: sign in again to send what waits.",
};

function ago(iso) {
  if (!iso) return "not synced yet";
  const minutes = Math.round((Date.now() - new Date(iso)) / 60000);
  return minutes < 1 ? "synced just now" : `last synced ${minutes} min ago`;
}

export async function render() {
  const events = await outbox.list();
  const pending = events.filter((e) => e.state === "pending");
  const { syncing, sent, total, problem } = outbox.status();
  const lastSync = await meta.get("lastSync");
  $("waiting").textContent = syncing ? `Syncing ${sent} of ${total}…`
    : pending.length ? `${pending.length} waiting` : "Nothing waiting";
  const settledAll = !pending.length && !syncing && !events.some((e) => outbox.PROBLEMS.has(e.state));
  $("last-sync").textContent = settledAll && lastSync ? "all synced" : ago(lastSync);
  $("syncbar").classList.toggle("waiting", pending.length > 0);
  let text = NOTES[problem] ?? problem;
  if (pending[0] && Date.now() - new Date(pending[0].occurred_at) > OLD_OUTBOX_MS) {
    text = `${text ? `${text} ` : ""}Some changes have waited over an hour.`;
  }
  $("sync-problem").textContent = text;
  $("sync-problem").hidden = !text;
  if (problem === "signin") {
    const next = encodeURIComponent(location.pathname);
    $("sync-problem").append(" ", Object.assign(document.createElement("a"),
      { href: `/auth/login?next=${next}`, textContent: "Sign in" }));
  }
  const types = (await eventTypes()) ?? {}; // the server's words for each event type
  const answered = events.filter((e) => e.state !== "pending");
  showProblems(answered.map((e) => problemItem(e, e.label ?? (e.kind === "unknown" ? "Unknown code"
    : types[e.type]?.label ?? e.type.replace(/_/g, " ")))), answered);
}

const SUMMARY = [["rejected", "refused"], ["conflict", "waiting for a manager"],
  ["resolved", "resolved by a manager"]];
let shownBefore = 0;

/** What the server refused or holds for a manager, as one line that opens the list: several
 *  of them must not push the scanner down the screen. One alone is shown open. */
function showProblems(items, answered) {
  const box = $("problems-box");
  box.hidden = !items.length;
  if (items.length === 1 && shownBefore !== 1) box.open = true;
  if (items.length > 1 && shownBefore <= 1) box.open = false;
  shownBefore = items.length;
  const parts = SUMMARY.map(([state, words]) => [answered.filter((e) => e.state === state).length, words])
    .filter(([n]) => n).map(([n, words]) => `${n} ${words}`);
  $("problems-summary").textContent = `Not synced: ${parts.join(" · ")}`;
  $("problems").replaceChildren(...items);
}

const WHY = { conflict: "Conflict, waiting for a manager: ", rejected: "Refused: ", resolved: "" };

function problemItem(event, label) {
  const item = document.createElement("li");
  item.dataset.state = event.state;
  const what = Object.assign(document.createElement("span"), { textContent: `${label} · ${event.asset}` });
  const why = Object.assign(document.createElement("span"), { className: `why why-${event.state}`,
    textContent: `${WHY[event.state] ?? ""}${event.reason}` });
  item.append(what, why);
  if (event.state === "rejected") {
    const again = Object.assign(document.createElement("button"), { type: "button", textContent: "Retry" });
    again.addEventListener("click", () => outbox.retry(event.id));
    item.append(again);
  }
  const drop = Object.assign(document.createElement("button"),
    { type: "button", textContent: event.state === "rejected" ? "Discard" : "Dismiss" });
  drop.addEventListener("click", () => outbox.discard(event.id));
  item.append(drop);
  return item;
}

/** Wire the bar up: it re-renders whenever the outbox or the connection changes. */
export async function mountSyncBar() {
  $("sync-now").addEventListener("click", () => outbox.flush());
  outbox.changes.addEventListener("change", render);
  addEventListener("online", render);
  addEventListener("offline", render);
  await render();
}
