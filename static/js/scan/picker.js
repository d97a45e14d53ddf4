// A type-ahead over one of the phone's cached lists (people, places): typing part of a name,
// code or e-mail shows the rows that match; choosing one puts its code in the box, which is
// what the server takes. The box stays a plain text input, so a code typed or scanned whole
// works as well, and the form's check (scan/rules.js) refuses one that names no row.

const SHOWN = 8; // suggestions at most: a phone screen, with the keyboard up
let made = 0;

const words = (row) => [row.name, row.code, row.email].filter(Boolean).map((w) => w.toLowerCase());

/** The rows `text` could mean, best first: a code or e-mail typed whole, then names that
 *  start with it, then any that hold it. */
export function matching(rows, text) {
  const wanted = text.trim().toLowerCase();
  if (!wanted) return [];
  const rank = (row) => {
    const all = words(row);
    if (row.code.toLowerCase() === wanted || row.email?.toLowerCase() === wanted) return 0;
    if (all.some((w) => w.startsWith(wanted))) return 1;
    return all.some((w) => w.includes(wanted)) ? 2 : 3;
  };
  return rows.map((row) => [rank(row), row]).filter(([r]) => r < 3)
    .sort((a, b) => a[0] - b[0] || a[1].name.localeCompare(b[1].name)).map(([, row]) => row);
}

/** The row a code in the box names (by code, or e-mail for people, as the server finds them). */
export function named(rows, value) {
  const text = value.trim();
  return rows.find((r) => r.code === text || (r.email && r.email.toLowerCase() === text.toLowerCase()));
}

/** Make `input` a picker over `rows` ({code, name, email?}); returns the element to place in
 *  the form in its stead (it holds the input). */
export function picker(input, rows) {
  const id = `pick-${++made}`;
  const wrap = Object.assign(document.createElement("div"), { className: "picker" });
  const list = Object.assign(document.createElement("ul"), { id, className: "suggestions", hidden: true });
  list.setAttribute("role", "listbox");
  const chosen = Object.assign(document.createElement("small"), { className: "picked muted" });
  chosen.id = `${id}-picked`;
  Object.assign(input, { autocomplete: "off", spellcheck: false });
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", id);
  input.setAttribute("aria-describedby", chosen.id);
  let active = -1;
  let shown = [];

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const note = () => {
    const row = named(rows, input.value);
    chosen.textContent = row ? row.name : "";
  };
  const choose = (row) => {
    input.value = row.code;
    note();
    close();
    input.dispatchEvent(new Event("picked", { bubbles: true }));
  };
  const mark = (index) => {
    active = index;
    [...list.children].forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
    if (index >= 0) input.setAttribute("aria-activedescendant", list.children[index].id);
  };
  const open = () => {
    shown = matching(rows, input.value).slice(0, SHOWN);
    list.replaceChildren(...shown.map((row, i) => {
      const item = Object.assign(document.createElement("li"), { id: `${id}-${i}` });
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.dataset.code = row.code;
      item.append(Object.assign(document.createElement("strong"), { textContent: row.name }),
        ` ${row.code}${row.email ? ` · ${row.email}` : ""}`);
      // On mousedown, before the input loses focus and the list closes.
      item.addEventListener("mousedown", (e) => { e.preventDefault(); choose(row); });
      return item;
    }));
    const any = shown.length > 0 && !named(rows, input.value);
    list.hidden = !any;
    input.setAttribute("aria-expanded", String(any));
    active = -1;
  };

  input.addEventListener("input", () => { note(); open(); });
  input.addEventListener("change", note);
  // Closed a moment after focus leaves, not at once: the list is in the form's flow, so
  // closing it on mousedown would move the form under the pointer and the tap that took the
  // focus away (on Cancel, say) would land on something else.
  input.addEventListener("blur", () => setTimeout(() => {
    if (document.activeElement !== input) close();
  }, 200));
  input.addEventListener("keydown", (e) => {
    if (list.hidden) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const step = e.key === "ArrowDown" ? 1 : -1;
      mark((active + step + shown.length) % shown.length);
    } else if (e.key === "Enter" && active >= 0) {
      e.preventDefault(); // a choice, not the form's submit
      choose(shown[active]);
    } else if (e.key === "Escape") {
      e.preventDefault(); // close the list, not the dialog
      close();
    }
  });
  /** Set the box to `code` (a scanned room's tag) as if it had been chosen. */
  input.pick = (code) => {
    input.value = code;
    note();
    close();
  };
  wrap.append(input, list, chosen);
  return wrap;
}
