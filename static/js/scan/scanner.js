// Camera frames in, decoded text out: rear camera, continuous decoding, repeats ignored.
import { makeDetector } from "./detector.js";

const FRAME_GAP_MS = 120; // ~8 frames a second is plenty, and spares the battery
const REPEAT_MS = 2500; // the same code again within this is the same scan

/**
 * Start the camera in `video` and call onCode({text, format}) for each new code.
 * Returns {stop, torch(on), zoom(value), capabilities}.
 */
export async function startScanner(video, onCode) {
  const stream = await navigator.mediaDevices.getUserMedia({
    // A preference, never `exact`: iPhones and some Androids refuse exact constraints.
    video: { facingMode: "environment", width: { ideal: 1280 }, height: { ideal: 720 } },
    audio: false,
  });
  video.srcObject = stream;
  await video.play();
  const [track] = stream.getVideoTracks();
  const capabilities = track.getCapabilities?.() ?? {};
  const detector = await makeDetector();
  const wakeLock = await navigator.wakeLock?.request("screen").catch(() => null);
  let running = true;
  let last = { text: "", at: 0 };

  (async () => {
    while (running) {
      if (video.readyState >= 2) {
        const found = await detector.detect(video).catch(() => []);
        const hit = found[0];
        const now = performance.now();
        if (hit && running && (hit.rawValue !== last.text || now - last.at > REPEAT_MS)) {
          last = { text: hit.rawValue, at: now };
          onCode({ text: hit.rawValue, format: hit.format });
        } else if (hit) {
          last.at = now;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, FRAME_GAP_MS));
    }
  })();

  return {
    capabilities,
    stop() {
      running = false;
      wakeLock?.release().catch(() => {});
      stream.getTracks().forEach((t) => t.stop());
      video.srcObject = null;
    },
    torch: (on) => track.applyConstraints({ advanced: [{ torch: on }] }),
    zoom: (value) => track.applyConstraints({ advanced: [{ zoom: value }] }),
  };
}
