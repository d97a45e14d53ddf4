// A signature drawn with a finger on the screen, kept as a PNG like any other photo.

/** A labelled drawing pad; `blob()` gives its PNG, or null when nothing was drawn. */
export function signaturePad(name, label) {
  const wrap = Object.assign(document.createElement("div"), { className: "field signature" });
  const caption = Object.assign(document.createElement("label"), { textContent: label });
  const canvas = Object.assign(document.createElement("canvas"), { width: 600, height: 200 });
  canvas.dataset.signature = name;
  const clear = Object.assign(document.createElement("button"), { type: "button", textContent: "Clear" });
  const pen = canvas.getContext("2d");
  Object.assign(pen, { lineWidth: 3, lineCap: "round", lineJoin: "round", strokeStyle: "#111" });
  let drawing = false;
  let drawn = false;
  const at = (e) => {
    const box = canvas.getBoundingClientRect();
    return [(e.clientX - box.left) * (canvas.width / box.width),
      (e.clientY - box.top) * (canvas.height / box.height)];
  };
  canvas.addEventListener("pointerdown", (e) => {
    drawing = true;
    canvas.setPointerCapture(e.pointerId);
    pen.beginPath();
    pen.moveTo(...at(e));
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!drawing) return;
    pen.lineTo(...at(e));
    pen.stroke();
    drawn = true;
  });
  canvas.addEventListener("pointerup", () => { drawing = false; });
  clear.addEventListener("click", () => { pen.clearRect(0, 0, canvas.width, canvas.height); drawn = false; });
  wrap.append(caption, canvas, clear);
  return {
    element: wrap,
    name,
    blob: () => (drawn ? new Promise((resolve) => canvas.toBlob(resolve, "image/png")) : Promise.resolve(null)),
    dataUrl: () => (drawn ? canvas.toDataURL("image/png") : ""),
  };
}
