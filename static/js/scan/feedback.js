// What a successful scan feels like: a short buzz and a short tone.
let audio;

export function success() {
  navigator.vibrate?.(60);
  try {
    audio ??= new AudioContext();
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 1320;
    gain.gain.value = 0.08;
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.08);
  } catch {
    // No audio (autoplay policy, no device): the vibration and the card are enough.
  }
}
