// Is anyone signed in? Asked at start, when there is a connection.
import { getJSON } from "../lib/api.js";
import * as outbox from "../offline/outbox.js";

/** Signed out with nothing waiting: go and sign in. With work waiting, keep it; the sync
 *  bar asks to sign in before sending. */
export async function checkSession() {
  if (!navigator.onLine) return;
  try {
    await getJSON("/api/v1/session");
  } catch (err) {
    if (err.status === 401 && !(await outbox.list()).length) {
      location.assign(`/auth/login?next=${encodeURIComponent(location.pathname)}`);
    }
  }
}
