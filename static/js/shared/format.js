// Formatting shared by both screens; pure (no DOM), so Node's tests import it as it is.

/** A countdown or a wait: m:ss under an hour, h:mm:ss from an hour; whole seconds, rounded
 * down; nothing known ("–") for null. */
export function clock(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return "–";
  seconds = Math.max(0, Math.floor(seconds));
  const hh = Math.floor(seconds / 3600);
  const mm = Math.floor((seconds % 3600) / 60);
  const ss = String(seconds % 60).padStart(2, "0");
  return hh ? `${hh}:${String(mm).padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}
