// Tagtrail's service worker: keeps the app shell so the phone app opens with no network.
// Served at /sw.js by app/pwa/views.py, which fills in VERSION, PRECACHE and PHONE_PAGES.
const VERSION = "__VERSION__";
const PRECACHE = [/* __PRECACHE__ */];
const PHONE_PAGES = [/* __PHONE_PAGES__ */]; // the phone app's own screens, kept for offline use
const OFFLINE_PAGE = "/offline";
const CACHE = `shell-${VERSION}`;
// A phone screen that is slow to come opens from the cache; any other page is waited for
// much longer (it has no copy here), then says it could not load rather than showing another.
const PHONE_TIMEOUT_MS = 3000;
const PAGE_TIMEOUT_MS = 30000;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)));
  // A first install takes over at once; an update waits until the page says "reload".
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if (event.data?.type === "skip-waiting") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  // API calls and writes always go to the network: the page's outbox handles failures.
  if (request.method !== "GET" || url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") event.respondWith(navigation(request));
  else event.respondWith(fromCache(request));
});

async function navigation(request) {
  const phonePage = PHONE_PAGES.includes(new URL(request.url).pathname);
  try {
    return await withTimeout(fetch(request), phonePage ? PHONE_TIMEOUT_MS : PAGE_TIMEOUT_MS);
  } catch {
    const cache = await caches.open(CACHE);
    // Only a phone screen falls back to its kept copy; an admin page (or any other) that
    // cannot load shows the offline page with a retry, under its own address.
    const kept = phonePage && (await cache.match(request, { ignoreSearch: true }));
    return kept || (await cache.match(OFFLINE_PAGE)) || Response.error();
  }
}

async function fromCache(request) {
  const hit = await caches.match(request, { ignoreSearch: true });
  return hit || fetch(request);
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then((value) => { clearTimeout(timer); resolve(value); },
      (error) => { clearTimeout(timer); reject(error); });
  });
}

// Background Sync, where the browser has it, is one more nudge to send the outbox; the page's
// own triggers (start, online, timer, button) are what every phone relies on.
self.addEventListener("sync", (event) => {
  if (event.tag !== "outbox") return;
  event.waitUntil((async () => {
    for (const client of await self.clients.matchAll({ type: "window" })) {
      client.postMessage({ type: "flush" });
    }
  })());
});
