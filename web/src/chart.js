// A small SVG chart of the monthly table: bars of the net change in occupied territory
// (km² on a square-root scale, so quiet months stay visible next to 2022's swings; red
// when Russia gained, blue when it lost) and a line of the occupied share at
// month end (%). The month of the date shown is highlighted; clicking a bar picks it.

const SVG_NS = 'http://www.w3.org/2000/svg';
const W = 320;
const H = 150;
const PAD = { left: 44, right: 34, top: 10, bottom: 18 };

function el(name, attrs = {}, text = null) {
  const node = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== null) node.textContent = text;
  return node;
}

const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const fmt = (v) => Math.round(v).toLocaleString('en');

/**
 * Draw the chart into `container` (replacing its content).
 * @param {HTMLElement} container
 * @param {Array<object>} rows monthly records: month, net_km2, occupied_pct_end, to_date
 * @param {(row: object) => void} onPick called with the row of a clicked bar
 * @returns {(month: string|null) => void} highlights the bar of a month ("YYYY-MM")
 */
export function drawMonthlyChart(container, rows, onPick) {
  container.replaceChildren();
  if (!rows.length) {
    container.textContent = 'No monthly data.';
    return () => {};
  }
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'Monthly net change' });
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const nets = rows.map((r) => num(r.net_km2) ?? 0);
  const maxAbs = Math.max(1, ...nets.map(Math.abs));
  const y0 = PAD.top + plotH / 2;
  const scaleY = (v) => y0 - Math.sign(v) * Math.sqrt(Math.abs(v) / maxAbs) * (plotH / 2);
  const step = plotW / rows.length;

  svg.append(el('line', { x1: PAD.left, x2: W - PAD.right, y1: y0, y2: y0, class: 'axis' }));
  svg.append(el('text', { x: PAD.left - 4, y: PAD.top + 8, class: 'tick', 'text-anchor': 'end' }, `+${fmt(maxAbs)}`));
  svg.append(el('text', { x: PAD.left - 4, y: H - PAD.bottom, class: 'tick', 'text-anchor': 'end' }, `−${fmt(maxAbs)}`));
  svg.append(el('text', { x: 2, y: y0 + 3, class: 'tick' }, 'km² √'));

  const bars = new Map();
  rows.forEach((row, i) => {
    const v = nets[i];
    const y = Math.min(scaleY(v), y0);
    const bar = el('rect', {
      x: PAD.left + i * step + step * 0.1,
      y,
      width: Math.max(1, step * 0.8),
      height: Math.max(0.5, Math.abs(scaleY(v) - y0)),
      class: v >= 0 ? 'bar gained' : 'bar lost',
      'data-month': row.month,
    });
    bar.append(el('title', {}, `${row.month}: net ${v >= 0 ? '+' : '−'}${fmt(Math.abs(v))} km²`
      + (num(row.occupied_pct_end) !== null ? `, ${row.occupied_pct_end.toFixed(2)} % occupied` : '')));
    bar.addEventListener('click', () => onPick(row));
    svg.append(bar);
    bars.set(row.month, bar);
  });

  // Occupied share at month end on the right-hand axis.
  const pcts = rows.map((r) => num(r.occupied_pct_end));
  const known = pcts.filter((v) => v !== null);
  if (known.length) {
    const lo = Math.min(...known);
    const hi = Math.max(...known, lo + 0.01);
    const scaleP = (v) => PAD.top + plotH - ((v - lo) / (hi - lo)) * plotH;
    const points = pcts
      .map((v, i) => (v === null ? null : `${PAD.left + (i + 0.5) * step},${scaleP(v)}`))
      .filter(Boolean)
      .join(' ');
    svg.append(el('polyline', { points, class: 'pct-line' }));
    svg.append(el('text', { x: W - PAD.right + 3, y: PAD.top + 8, class: 'tick pct' }, `${hi.toFixed(1)}%`));
    svg.append(el('text', { x: W - PAD.right + 3, y: H - PAD.bottom, class: 'tick pct' }, `${lo.toFixed(1)}%`));
  }
  svg.append(el('text', { x: PAD.left, y: H - 4, class: 'tick' }, rows[0].month));
  svg.append(el('text', { x: W - PAD.right, y: H - 4, class: 'tick', 'text-anchor': 'end' }, rows.at(-1).month));
  container.append(svg);

  let current = null;
  return (month) => {
    if (current) current.classList.remove('current');
    current = month ? bars.get(month) || null : null;
    if (current) current.classList.add('current');
  };
}
