// The scanner screen: camera, handheld scanner or typed code, or a photo the server reads;
// then the asset's card, or the offer to bind an unknown label.
import { ApiError, getJSON, postForm, postJSON } from "../lib/api.js";
import { success } from "../scan/feedback.js";
import { startScanner } from "../scan/scanner.js";

const $ = (id) => document.getElementById(id);
const ACTION_LABELS = { check_in: "Check in", check_out: "Check out", transfer: "Transfer",
  repair: "Log repair", mark_lost: "Mark lost", mark_found: "Mark found", retire: "Retire",
  wipe: "Record wipe", dispose: "Dispose", receive: "Receive", attach_code: "Attach label",
  stocktake_scan: "Count" };

let scanner = null;
export const timings = []; // decode-to-card times in ms, newest last

function say(text, isError = false) {
  $("message").textContent = text;
  $("message").classList.toggle("error", isError);
}

function fill(template, values) {
  const node = $(template).content.firstElementChild.cloneNode(true);
  for (const [key, value] of Object.entries(values)) {
    const slot = node.querySelector(`[data-f="${key}"]`);
    if (slot && typeof value === "string") slot.textContent = value;
  }
  return node;
}

function warranty(end) {
  if (!end) return "—";
  const days = Math.round((new Date(end) - new Date()) / 86400000);
  return days >= 0 ? `${end} (${days} days left)` : `ended ${end}`;
}

function showAsset(asset) {
  const card = fill("asset-card", {
    tag: asset.tag, name: asset.name, status: asset.status.replace(/_/g, " "),
    location_name: asset.location_name || "—", assignee_name: asset.assignee_name || "—",
    model: asset.model || "—", serial: asset.serial || "—", warranty: warranty(asset.warranty_end),
    open_work: asset.status === "in_repair" ? "In repair" : "None",
  });
  card.querySelector('[data-f="status"]').classList.add(`status-${asset.status}`);
  const actions = card.querySelector('[data-f="actions"]');
  for (const action of asset.actions ?? []) {
    const button = document.createElement("a");
    button.className = "button";
    button.textContent = ACTION_LABELS[action] ?? action;
    button.href = `/admin/assets/${encodeURIComponent(asset.tag)}#${action}`;
    actions.append(button);
  }
  card.querySelector('[data-f="link"]').href = `/admin/assets/${encodeURIComponent(asset.tag)}`;
  $("result").replaceChildren(card);
}

function showUnknown(details) {
  const code = details.code || details.payload;
  const card = fill("unknown-card", { code });
  const list = card.querySelector('[data-f="candidates"]');
  for (const c of details.candidates ?? []) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = "#";
    link.textContent = `${c.tag} · ${c.name}`;
    link.addEventListener("click", (e) => { e.preventDefault(); lookup(c.tag); });
    item.append(link);
    list.append(item);
  }
  const bind = card.querySelector('[data-f="bind"]');
  const register = card.querySelector('[data-f="register"]');
  if (!details.can_bind) {
    bind.remove();
    register.remove();
  } else {
    register.href = `/admin/assets/new?tag=${encodeURIComponent(code)}`;
    bind.addEventListener("submit", (e) => { e.preventDefault(); attach(code, bind.asset.value); });
  }
  $("result").replaceChildren(card);
}

async function attach(code, tag) {
  const event = { id: crypto.randomUUID(), type: "attach_code", asset: tag.trim(),
    occurred_at: new Date().toISOString(), base_version: null, data: { code } };
  try {
    const reply = await postJSON("/api/v1/sync", { device_id: deviceId(), events: [event] });
    const [result] = reply.results;
    if (result.status !== "applied") throw new Error(result.reason);
    await lookup(code);
    say(`Label ${code} attached to ${tag}.`);
  } catch (err) {
    say(`Not attached: ${err.message}`, true);
  }
}

function deviceId() {
  let id = localStorage.getItem("tagtrail-device");
  if (!id) localStorage.setItem("tagtrail-device", (id = crypto.randomUUID()));
  return id;
}

export async function lookup(text, decodedAt = performance.now()) {
  say("Looking up…");
  try {
    const asset = await getJSON(`/api/v1/scan?payload=${encodeURIComponent(text)}`);
    showAsset(asset);
    say("");
  } catch (err) {
    if (err instanceof ApiError && err.code === "unknown_payload") {
      showUnknown(err.details);
      say("");
    } else {
      say(err.message, true);
      return;
    }
  }
  timings.push(performance.now() - decodedAt);
  $("result").dataset.shown = text;
}

async function start() {
  say("Starting the camera…");
  $("viewfinder").hidden = false;
  try {
    scanner = await startScanner($("video"), ({ text }) => {
      const decodedAt = performance.now();
      success();
      $("viewfinder").classList.add("hit");
      setTimeout(() => $("viewfinder").classList.remove("hit"), 400);
      lookup(text, decodedAt);
    });
  } catch (err) {
    $("viewfinder").hidden = true;
    say(err.name === "NotAllowedError" ? "Camera permission was refused: type the code, or "
      + "take a photo instead." : `The camera did not start (${err.message}).`, true);
    return;
  }
  say("Point the camera at a tag.");
  const caps = scanner.capabilities;
  $("torch").hidden = !caps.torch;
  if (caps.zoom) {
    Object.assign($("zoom"), { min: caps.zoom.min, max: caps.zoom.max, step: caps.zoom.step || 0.1 });
    $("zoom-wrap").hidden = false;
  }
}

function stop() {
  scanner?.stop();
  scanner = null;
  $("viewfinder").hidden = true;
  say("");
}

async function decodePhoto(file) {
  if (!file) return;
  say("Reading the photo…");
  const form = new FormData();
  form.append("image", file);
  try {
    const { codes } = await postForm("/api/v1/decode", form);
    if (!codes.length) return say("No code found in the photo. Try closer, with more light.", true);
    await lookup(codes[0].text);
  } catch (err) {
    say(err.message, true);
  }
}

$("start").addEventListener("click", start);
$("stop").addEventListener("click", stop);
$("torch").addEventListener("click", async (e) => {
  const on = e.currentTarget.getAttribute("aria-pressed") !== "true";
  await scanner?.torch(on).catch(() => {});
  e.currentTarget.setAttribute("aria-pressed", String(on));
});
$("zoom").addEventListener("input", (e) => scanner?.zoom(Number(e.target.value)).catch(() => {}));
$("photo").addEventListener("change", (e) => decodePhoto(e.target.files[0]));
$("manual").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = $("code").value;
  if (text.trim()) lookup(text);
  $("code").select();
});
addEventListener("pagehide", stop);
globalThis.tagtrail = { timings, lookup };
