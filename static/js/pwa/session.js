// Is anyone signed in? Asked at start, when there is a connection; the answer shows in the
// top bar with a way to sign out, and is kept so the bar says the same offline.
import { getJSON } from "../lib/api.js";
import { meta } from "../lib/idb.js";
import * as outbox from "../offline/outbox.js";

function show(user) {
  const form = document.getElementById("sign-out");
  if (!form) return;
  form.hidden = !user;
  document.getElementById("who").textContent = user ? `${user.name || user.email} · ${user.role}` : "";
}

/** Signing out needs the server; with changes still waiting, whoever signs in next on this
 *  phone sends them, so the person is asked first. */
async function signOut(event) {
  event.preventDefault();
  const form = event.currentTarget;
  if (!navigator.onLine) {
    document.getElementById("who").textContent = "Signing out needs a connection.";
    return;
  }
  const waiting = (await outbox.list()).filter((e) => e.state === "pending").length;
  if (waiting && !confirm(`${waiting} change(s) have not synced yet; they will be sent when `
    + "someone signs in on this phone again. Sign out anyway?")) return;
  await meta.set("user", null);
  form.submit();
}

/** Signed out with nothing waiting: go and sign in. With work waiting, keep it; the sync
 *  bar asks to sign in before sending. */
export async function checkSession() {
  document.getElementById("sign-out")?.addEventListener("submit", signOut);
  show(await meta.get("user"));
  if (!navigator.onLine) return;
  try {
    const { user, csrf_token: token } = await getJSON("/api/v1/session");
    await meta.set("user", user);
    show(user);
    // The shell may be cached from another session: its tokens would be refused.
    document.querySelector('meta[name="csrf-token"]').content = token;
    document.querySelector('#sign-out [name="csrf_token"]')?.setAttribute("value", token);
  } catch (err) {
    if (err.status === 401) {
      await meta.set("user", null);
      show(null);
      if (!(await outbox.list()).length) {
        location.assign(`/auth/login?next=${encodeURIComponent(location.pathname)}`);
      }
    }
  }
}
