// The pickup form: signatures drawn with a mouse or finger, sent as PNG data in hidden fields.
import { signaturePad } from "../lib/signature.js";

const form = document.getElementById("batch-form");
const pads = [["operator", "Handed over by (signature)"], ["witness", "Received by the vendor (signature)"]]
  .map(([name, label]) => signaturePad(name, label));
document.getElementById("signatures").append(...pads.map((pad) => pad.element));
form.addEventListener("submit", () => {
  for (const pad of pads) form.elements[`signature_${pad.name}`].value = pad.dataUrl();
});
