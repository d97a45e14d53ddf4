// The one fetch wrapper: JSON in and out, the CSRF header, and errors a page can show.

export class ApiError extends Error {
  constructor(status, body) {
    const error = body?.error ?? {};
    super(error.message || `The server answered ${status}.`);
    this.status = status;
    this.code = error.code || "error";
    this.details = error.details || {};
  }
}

export class NetworkError extends Error {}

const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content ?? "";

async function call(method, url, body) {
  const headers = { Accept: "application/json" };
  const init = { method, headers, credentials: "same-origin" };
  if (body instanceof Blob) {
    headers["Content-Type"] = body.type || "application/octet-stream";
    init.body = body;
  } else if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
  let response;
  try {
    response = await fetch(url, init);
  } catch (err) {
    throw new NetworkError("No connection to the server.");
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/** Go to the sign-in page and come back here afterwards. */
export function signIn() {
  const next = location.pathname + location.search;
  location.assign(`/auth/login?next=${encodeURIComponent(next)}`);
}

export const getJSON = (url) => call("GET", url);
export const postJSON = (url, body) => call("POST", url, body);
export const postForm = (url, formData) => call("POST", url, formData);
export const putBlob = (url, blob) => call("PUT", url, blob);
