// Install the service worker, ask to keep our storage, and offer a reload after a deploy.

export async function registerApp(onUpdate) {
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
