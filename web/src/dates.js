// Calendar helpers on ISO dates ("YYYY-MM-DD"), all in UTC so no time zone shifts a day.

const DAY_MS = 86400000;

/** Days since 1970-01-01 of an ISO date. */
export function toDay(iso) {
  const [y, m, d] = iso.split('-').map(Number);
  return Math.round(Date.UTC(y, m - 1, d) / DAY_MS);
}

/** ISO date of a day number. */
export function fromDay(day) {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** True for a well-formed ISO date that exists in the calendar. */
export function isIsoDate(value) {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && fromDay(toDay(value)) === value;
}

/** The ISO date `n` days after `iso` (negative for before). */
export function addDays(iso, n) {
  return fromDay(toDay(iso) + n);
}

/** The ISO date `n` calendar months after `iso`, the day clamped to the month's length. */
export function addMonths(iso, n) {
  const [y, m, d] = iso.split('-').map(Number);
  const first = new Date(Date.UTC(y, m - 1 + n, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(d, last));
  return first.toISOString().slice(0, 10);
}

/** The latest of the sorted ISO `dates` on or before `iso`, or null before the first. */
export function onOrBefore(dates, iso) {
  let lo = 0;
  let hi = dates.length - 1;
  let found = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (dates[mid] <= iso) {
      found = dates[mid];
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** The first of the sorted ISO `dates` strictly after `iso`, or null. */
export function nextAfter(dates, iso) {
  const prev = onOrBefore(dates, iso);
  const i = prev === null ? 0 : dates.indexOf(prev) + 1;
  return i < dates.length ? dates[i] : null;
}
