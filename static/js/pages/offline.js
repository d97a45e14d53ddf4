// The page the service worker shows when a page that is not one of the phone app's screens
// cannot load: it names the page, retries on a tap, and by itself when the signal returns.
import { markAdminLink } from "../pwa/register.js";

const $ = (id) => document.getElementById(id);

function retry() {
  $("offline-note").textContent = navigator.onLine ? "Trying again…"
    : "Still no connection on this phone; it tries again when the signal returns.";
  if (navigator.onLine) location.reload();
}

$("offline-path").textContent = location.pathname + location.search;
$("retry").addEventListener("click", retry);
addEventListener("online", retry);
markAdminLink();
globalThis.tagtrail = { ready: Promise.resolve(), offline: true };
