// Formatting of values coming from the API.

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** An ISO time as local `YYYY-MM-DD HH:MM:SS`; anything unparsable is returned as given. */
export function formatTime(value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  const d = new Date(value as string);
  if (typeof value !== 'string' && typeof value !== 'number') return String(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}

export function formatDuration(startIso: unknown, endIso: unknown): string {
  if (typeof startIso !== 'string' || typeof endIso !== 'string') return '';
  const ms = new Date(endIso).getTime() - new Date(startIso).getTime();
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  const rs = Math.round(s - m * 60);
  if (m < 60) return `${m} min ${rs} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** A table cell: strings as text, arrays/objects as JSON, null/undefined as empty. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** before → after values in diffs: always JSON text so strings and numbers stay distinguishable. */
export function jsonText(value: unknown): string {
  if (value === undefined) return '(none)';
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
