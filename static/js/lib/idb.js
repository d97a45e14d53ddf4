// The only module that talks to IndexedDB: one database, its stores, and promise helpers.
const DB_NAME = "tagtrail";
const DB_VERSION = 3;

function upgrade(db, from) {
  // One branch per version; never edit an old one.
  if (from < 1) version1(db);
  if (from < 2) db.createObjectStore("stocktakes", { keyPath: "id" });
  if (from < 3) db.createObjectStore("work", { keyPath: "id" }); // my open work orders
}

function version1(db) {
  db.createObjectStore("assets", { keyPath: "key" }).createIndex("serial", "serial");
  db.createObjectStore("codes", { keyPath: "key" }); // extra label codes -> asset key
  db.createObjectStore("locations", { keyPath: "code" });
  db.createObjectStore("people", { keyPath: "code" });
  db.createObjectStore("outbox", { keyPath: "id" }).createIndex("occurred_at", "occurred_at");
  db.createObjectStore("blobs", { keyPath: "sha256" });
  db.createObjectStore("meta", { keyPath: "key" });
}

let opening;
function open() {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = (event) => upgrade(request.result, event.oldVersion);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opening;
}

/** Run `work(stores)` in one transaction over `names`; resolves with its result on commit. */
export async function transact(names, mode, work) {
  const tx = (await open()).transaction(names, mode);
  const stores = Object.fromEntries([names].flat().map((n) => [n, tx.objectStore(n)]));
  const result = work(stores);
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onabort = tx.onerror = () => reject(tx.error);
  });
  return result instanceof IDBRequest ? result.result : result;
}

const request = (name, mode, make) => transact(name, mode, (s) => make(s[name]));

export function store(name) {
  return {
    get: (key) => request(name, "readonly", (s) => s.get(key)),
    all: () => request(name, "readonly", (s) => s.getAll()),
    count: () => request(name, "readonly", (s) => s.count()),
    byIndex: (index, key) => request(name, "readonly", (s) => s.index(index).getAll(key)),
    put: (value) => request(name, "readwrite", (s) => s.put(value)),
    remove: (key) => request(name, "readwrite", (s) => s.delete(key)),
    putMany: (values) => transact(name, "readwrite", (s) => values.forEach((v) => s[name].put(v))),
    clear: () => request(name, "readwrite", (s) => s.clear()),
  };
}

export const meta = {
  get: async (key) => (await store("meta").get(key))?.value,
  set: (key, value) => store("meta").put({ key, value }),
};
