// Tagtrail's service worker: keeps the app shell so the phone app opens with no network.
// Served at /sw.js by app/pwa/views.py, which fills in VERSION and PRECACHE.
const VERSION = "__VERSION__";
const PRECACHE = [/* __PRECACHE__ */];
const CACHE = `shell-${VERSION}`;
const NAVIGATION_TIMEOUT_MS = 3000;

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
  try {
    return await withTimeout(fetch(request), NAVIGATION_TIMEOUT_MS);
  } catch {
    const cache = await caches.open(CACHE);
    return (await cache.match(request, { ignoreSearch: true })) || cache.match("/scan");
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
