// The cards a scan shows, built from the page's <template>s: an asset with the actions the
// server offers on it, or a code no asset carries. Views only: callers pass the data and
// what a tap does.

function fill(template, values) {
  const node = document.getElementById(template).content.firstElementChild.cloneNode(true);
  for (const [key, value] of Object.entries(values)) {
    const slot = node.querySelector(`[data-f="${key}"]`);
    if (slot && typeof value === "string") slot.textContent = value;
  }
  return node;
}

function warranty(end) {
  if (!end) return "—";
  const days = Math.round((new Date(end) - new Date()) / 86400000);
  return days >= 0 ? `${end} (${days} days left)` : `ended ${end}`;
}

/** The asset's card. `actions`: [[name, type], ...] for its buttons, or null when the phone
 *  has never downloaded the event types (there is nothing to build their forms from). */
export function assetCard(asset, { source, actions, onAction }) {
  const card = fill("asset-card", {
    tag: asset.tag, name: asset.name, status: asset.status.replace(/_/g, " "), source,
    location_name: asset.location_name || "—", assignee_name: asset.assignee_name || "—",
    model: asset.model || "—", serial: asset.serial || "—", warranty: warranty(asset.warranty_end),
    open_work: [asset.status === "in_repair" && "In repair",
      asset.open_work_orders > 0 && `${asset.open_work_orders} open work order${asset.open_work_orders > 1 ? "s" : ""}`,
      asset.pending && `${asset.pending} change(s) waiting to sync`].filter(Boolean).join(" · ") || "None",
  });
  card.querySelector('[data-f="status"]').classList.add(`status-${asset.status}`);
  const buttons = card.querySelector('[data-f="actions"]');
  if (actions === null) {
    buttons.append(Object.assign(document.createElement("p"), { className: "muted",
      textContent: "Actions appear here after this phone has synced once." }));
  }
  for (const [name, type] of actions ?? []) {
    const button = Object.assign(document.createElement("button"),
      { type: "button", className: "button", textContent: type.label });
    button.dataset.action = name;
    button.addEventListener("click", () => onAction(name, type));
    buttons.append(button);
  }
  card.querySelector('[data-f="link"]').href = `/admin/assets/${encodeURIComponent(asset.tag)}`;
  return card;
}

/** The assets a typed name found, to pick one from; `source` says where they came from. */
export function matchesCard(query, assets, { source, onPick }) {
  const card = fill("matches-card", { query, source });
  const list = card.querySelector('[data-f="list"]');
  for (const asset of assets) {
    const link = Object.assign(document.createElement("a"), { href: "#",
      textContent: `${asset.tag} · ${asset.name}${asset.location_name ? ` · ${asset.location_name}` : ""}` });
    link.dataset.tag = asset.tag;
    link.addEventListener("click", (e) => { e.preventDefault(); onPick(asset.tag); });
    const item = document.createElement("li");
    item.append(link);
    list.append(item);
  }
  return card;
}

/** The card for a code no asset carries: near matches to pick, and (when the code can name
 *  an asset) a form to attach it to one, or a link to register one with it. */
export function unknownCard(details, { onPick, onBind }) {
  const code = details.code || details.payload;
  const card = fill("unknown-card", { code });
  const list = card.querySelector('[data-f="candidates"]');
  for (const c of details.candidates ?? []) {
    const link = Object.assign(document.createElement("a"), { href: "#", textContent: `${c.tag} · ${c.name}` });
    link.addEventListener("click", (e) => { e.preventDefault(); onPick(c.tag); });
    const item = document.createElement("li");
    item.append(link);
    list.append(item);
  }
  const bind = card.querySelector('[data-f="bind"]');
  const register = card.querySelector('[data-f="register"]');
  if (!details.can_bind) {
    bind.remove();
    register.remove();
  } else {
    register.href = `/admin/assets/new?tag=${encodeURIComponent(code)}`;
    bind.addEventListener("submit", (e) => {
      e.preventDefault();
      onBind(code, bind.asset.value.trim());
    });
  }
  return card;
}
