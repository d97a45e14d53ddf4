// The page the service worker shows when a page that is not one of the phone app's screens
// cannot load: it names the page, retries on a tap, and by itself when the signal returns.
import { markAdminLink } from "../pwa/register.js";

const $ = (id) => document.getElementById(id);
const WAIT_MS = 1000; // between tries once the signal is back
const TRIES = 30;

/** Does the server answer for this page? A HEAD passes the service worker by (it keeps GETs
 *  only), and any answer, a redirect to sign in included, means the page can load. */
async function reachable() {
  try {
    await fetch(location.href, { method: "HEAD", cache: "no-store", redirect: "manual" });
    return true;
  } catch {
    return false;
  }
}

async function retry(tries = 1) {
  if (!navigator.onLine) {
    $("offline-note").textContent = "Still no connection on this phone; it tries again when the signal returns.";
    return;
  }
  $("offline-note").textContent = "Trying again…";
  for (let i = 0; i < tries; i += 1) {
    if (await reachable()) return location.reload();
    await new Promise((resolve) => setTimeout(resolve, WAIT_MS));
  }
  $("offline-note").textContent = "The server does not answer yet. Try again in a moment.";
}

$("offline-path").textContent = location.pathname + location.search;
$("retry").addEventListener("click", () => retry());
addEventListener("online", () => retry(TRIES)); // the network may take a moment to carry
markAdminLink();
globalThis.tagtrail = { ready: Promise.resolve(), offline: true };
