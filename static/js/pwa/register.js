// Install the service worker, ask to keep our storage, and offer a reload after a deploy.
// Also: the nav's link to the admin pages says it needs a connection when there is none.

const ADMIN_LINK = '.mainnav a[href^="/admin"]';

/** The admin pages are not kept on the phone: with no connection their link says so, and a
 *  tap on it stays here instead of opening a page that cannot load. */
export function markAdminLink() {
  const link = document.querySelector(ADMIN_LINK);
  if (!link) return;
  const words = link.textContent;
  const show = () => {
    const offline = !navigator.onLine;
    link.textContent = offline ? `${words} (needs a connection)` : words;
    link.classList.toggle("needs-connection", offline);
    if (offline) link.setAttribute("aria-disabled", "true");
    else link.removeAttribute("aria-disabled");
  };
  link.addEventListener("click", (e) => { if (!navigator.onLine) e.preventDefault(); });
  addEventListener("online", show);
  addEventListener("offline", show);
  show();
}

export async function registerApp(onUpdate) {
  markAdminLink();
  navigator.storage?.persist?.().catch(() => {});
  if (!("serviceWorker" in navigator)) return null;
  const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  const offer = (worker) => onUpdate(() => worker.postMessage({ type: "skip-waiting" }));
  if (registration.waiting && navigator.serviceWorker.controller) offer(registration.waiting);
  registration.addEventListener("updatefound", () => {
    const worker = registration.installing;
    worker?.addEventListener("statechange", () => {
      // A new version is ready while an old one runs this page: let the person choose when.
      if (worker.state === "installed" && navigator.serviceWorker.controller) offer(worker);
    });
  });
  let reloading = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (reloading || !sessionStorage.getItem("tagtrail-updating")) return;
    reloading = true;
    sessionStorage.removeItem("tagtrail-updating");
    location.reload();
  });
  return registration;
}
