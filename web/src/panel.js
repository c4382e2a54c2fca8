// The side panel's measures for the date shown, and the list of the largest changes.

import { formatValue } from './style-layers.js';

/** Rows of the measures list: API field, label, unit. */
const MEASURES = [
  ['occupied_km2', 'Occupied', 'km²'],
  ['occupied_pct', 'Share of Ukraine', '%'],
  ['line_km', 'Line of contact', 'km'],
  ['grey_zone_km2', 'Grey zone', 'km²'],
  ['gained_km2', 'Gained since previous', 'km²'],
  ['lost_km2', 'Lost since previous', 'km²'],
  ['net_km2', 'Net change', 'km²'],
  ['gap_days', 'Days since previous', 'd'],
  ['source', 'Source', ''],
];

/** Fill the measures list from a /api/measures answer. */
export function showMeasures(measures) {
  const dl = document.getElementById('measures');
  dl.replaceChildren();
  const shown = measures.date_shown || measures.date;
  document.getElementById('measures-date').textContent = shown ? `(${shown})` : '';
  for (const [key, label, unit] of MEASURES) {
    if (!(key in measures)) continue;
    const value = measures[key];
    if (value === null || value === undefined) continue;
    const dt = document.createElement('dt');
    dt.textContent = label;
    const dd = document.createElement('dd');
    dd.dataset.measure = key;
    dd.textContent = key === 'occupied_pct' && typeof value === 'number'
      ? `${value.toFixed(2)} ${unit}` : `${formatValue(value)} ${unit}`.trim();
    dl.append(dt, dd);
  }
}

/** Show an error in place of the measures. */
export function showMeasuresError(message) {
  const dl = document.getElementById('measures');
  dl.replaceChildren();
  const dd = document.createElement('dd');
  dd.className = 'error';
  dd.textContent = message;
  dl.append(dd);
}

/** List the largest gains/losses of a changes FeatureCollection (at most `n`). */
export function showChanges(fc, n = 8) {
  const section = document.getElementById('changes-section');
  const list = document.getElementById('changes-list');
  list.replaceChildren();
  if (!fc) {
    section.hidden = true;
    return;
  }
  section.hidden = false;
  const rows = [...(fc.features || [])]
    .map((f) => f.properties || {})
    .sort((a, b) => (b.area_km2 || 0) - (a.area_km2 || 0))
    .slice(0, n);
  if (!rows.length) {
    const li = document.createElement('li');
    li.textContent = 'No changes in this period.';
    list.append(li);
  }
  for (const p of rows) {
    const li = document.createElement('li');
    li.className = p.kind === 'gained' ? 'gained' : 'lost';
    const sign = p.kind === 'gained' ? '+' : '−';
    const place = p.settlement || p.place;
    li.textContent = `${sign}${formatValue(p.area_km2)} km²`
      + (place ? ` near ${place}` : '') + (p.sector ? ` (${p.sector})` : '');
    list.append(li);
  }
}
