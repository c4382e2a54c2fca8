// The view (date, layers, package, camera) and its URL hash, so that a link reproduces
// what someone saw: #date=2024-05-01&layers=occupied,line&pkg=coalition-2025&run=ID&...

import { isIsoDate } from './dates.js';

/** Layer groups a user can toggle (checkbox `data-layer` values). */
export const LAYER_GROUPS = [
  'occupied', 'line', 'changes', 'ceasefire', 'oblasts', 'settlements', 'bases', 'air', 'sea',
];

export const DEFAULT_LAYERS = ['occupied', 'line', 'oblasts', 'settlements', 'bases', 'air', 'sea'];

/** A fresh default view. */
export function defaultView() {
  return {
    date: null, // ISO date chosen on the slider
    since: null, // ISO start of the gains/losses layer
    layers: new Set(DEFAULT_LAYERS),
    pkg: null, // package whose layers are shown (and preset in the editor)
    run: null, // assessment id whose layers are shown
    cf: null, // ceasefire line name
    center: null, // [lon, lat]
    zoom: null,
  };
}

const SAFE = /^[A-Za-z0-9_.+\-]{1,80}$/; // names and ids as the server makes them

/** Parse a location hash into a view (unknown or malformed entries are ignored). */
export function parseHash(hash) {
  const view = defaultView();
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  if (isIsoDate(params.get('date'))) view.date = params.get('date');
  if (isIsoDate(params.get('since'))) view.since = params.get('since');
  if (params.has('layers')) {
    view.layers = new Set(params.get('layers').split(',').filter((l) => LAYER_GROUPS.includes(l)));
  }
  for (const key of ['pkg', 'run', 'cf']) {
    const value = params.get(key);
    if (value && SAFE.test(value)) view[key] = value;
  }
  const center = (params.get('c') || '').split(',').map(Number);
  if (center.length === 2 && center.every(Number.isFinite)) view.center = center;
  const zoom = Number(params.get('z'));
  if (params.has('z') && Number.isFinite(zoom)) view.zoom = zoom;
  return view;
}

/** The hash (with '#') of a view. */
export function formatHash(view) {
  const params = new URLSearchParams();
  if (view.date) params.set('date', view.date);
  if (view.since) params.set('since', view.since);
  params.set('layers', LAYER_GROUPS.filter((l) => view.layers.has(l)).join(','));
  for (const key of ['pkg', 'run', 'cf']) if (view[key]) params.set(key, view[key]);
  if (view.center) params.set('c', view.center.map((v) => v.toFixed(3)).join(','));
  if (view.zoom !== null) params.set('z', view.zoom.toFixed(2));
  // Commas read better than %2C in a shared link.
  return `#${params.toString().replace(/%2C/g, ',')}`;
}
