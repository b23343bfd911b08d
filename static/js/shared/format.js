// Formatting shared by both screens; pure (no DOM), so Node's tests import it as it is.

const formats = new Map();
function numberFormat(digits, fixed, locale) {
  const key = `${locale}|${digits}|${fixed}`;
  if (!formats.has(key)) {
    const opts = { maximumFractionDigits: digits, minimumFractionDigits: fixed ? digits : 0 };
    formats.set(key, new Intl.NumberFormat(locale, opts));
  }
  return formats.get(key);
}

/**
 * x grouped, with at most `digits` decimals (exactly `digits` when `fixed`), in `locale` (the
 * browser's when undefined); `empty` for null, undefined or NaN.
 */
export function number(x, { digits = 2, fixed = false, locale = undefined, empty = "–" } = {}) {
  if (x === null || x === undefined || Number.isNaN(x)) return empty;
  return numberFormat(digits, fixed, locale).format(x);
}

/** number() with its sign: "+1,200", "−300" (a minus sign, not a hyphen); 0 as `zero` when
 * given, else as number() writes it. */
export function signedNumber(x, { zero = undefined, ...opts } = {}) {
  if (x === null || x === undefined || Number.isNaN(x)) return number(x, opts);
  const s = number(Math.abs(x), opts);
  if (x > 0) return `+${s}`;
  if (x < 0) return `−${s}`;
  return zero ?? s;
}

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
