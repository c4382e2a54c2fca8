// The MapLibre map: an offline style (no tiles, fonts or glyphs), garant's base geography
// as GeoJSON layers, and the data layers (frontline, changes, ceasefire, package).
// Labels are HTML markers and popups, so no glyph-dependent symbol layers are needed.

import { Map as MapLibreMap, Marker, Popup, setWorkerUrl } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';

import { COLORS, featurePopup, pkgColor } from './style-layers.js';

setWorkerUrl(workerUrl);

const EMPTY = { type: 'FeatureCollection', features: [] };
const UKRAINE_BOUNDS = [[22.0, 44.2], [40.3, 52.4]];

const POLY = ['in', ['geometry-type'], ['literal', ['Polygon', 'MultiPolygon']]];
const LINE = ['in', ['geometry-type'], ['literal', ['LineString', 'MultiLineString']]];
const POINT = ['in', ['geometry-type'], ['literal', ['Point', 'MultiPoint']]];
const GREY_KINDS = ['literal', ['grey', 'grey_zone', 'greyzone', 'gray_zone']];
const CF_ZONE = ['in', ['get', 'kind'], ['literal', ['dmz', 'danger_band']]];

/** Map layer ids by the layer group a checkbox toggles. */
export const GROUP_LAYERS = {
  occupied: ['frontline-occupied', 'frontline-grey'],
  line: ['frontline-line'],
  changes: ['changes-fill', 'changes-outline'],
  ceasefire: ['cf-fill', 'cf-outline', 'cf-line'],
  oblasts: ['oblasts-line'],
  settlements: ['settlements-big', 'settlements-small'],
  bases: ['pkg-bases-fill', 'pkg-bases-line', 'pkg-bases-point'],
  air: ['pkg-air-fill', 'pkg-air-line', 'pkg-air-point'],
  sea: ['pkg-sea-fill', 'pkg-sea-line', 'pkg-sea-point'],
};

function geojsonSource(data = EMPTY) {
  return { type: 'geojson', data, tolerance: 0.2 };
}

/** The style: background, base geography and (empty) data sources, bottom to top. */
function buildStyle() {
  const layers = [
    { id: 'background', type: 'background', paint: { 'background-color': COLORS.sea } },
    { id: 'countries-fill', type: 'fill', source: 'countries',
      paint: { 'fill-color': ['match', ['get', 'iso_a3'], 'UKR', COLORS.ukraine, COLORS.land] } },
    { id: 'sea-fill', type: 'fill', source: 'sea', paint: { 'fill-color': COLORS.sea } },
    { id: 'countries-line', type: 'line', source: 'countries',
      paint: { 'line-color': COLORS.border, 'line-width': 1 } },
    { id: 'oblasts-line', type: 'line', source: 'oblasts',
      paint: { 'line-color': COLORS.oblast, 'line-width': 0.6, 'line-dasharray': [3, 2] } },
    // Ceasefire zones: the demilitarised strip and the danger bands (kinds from the API).
    { id: 'cf-fill', type: 'fill', source: 'ceasefire', filter: ['all', POLY, CF_ZONE],
      paint: { 'fill-color': ['match', ['get', 'kind'], 'dmz', COLORS.zone, COLORS.band],
        'fill-opacity': ['match', ['get', 'kind'], 'dmz', 0.35, 0.12] } },
    { id: 'cf-outline', type: 'line', source: 'ceasefire', filter: ['all', POLY, CF_ZONE],
      paint: { 'line-color': ['match', ['get', 'kind'], 'dmz', COLORS.zone, COLORS.band],
        'line-width': 0.8 } },
    { id: 'frontline-occupied', type: 'fill', source: 'frontline',
      filter: ['==', ['get', 'kind'], 'occupied'],
      paint: { 'fill-color': COLORS.occupied, 'fill-opacity': 0.45 } },
    { id: 'frontline-grey', type: 'fill', source: 'frontline',
      filter: ['in', ['get', 'kind'], GREY_KINDS],
      paint: { 'fill-color': COLORS.grey, 'fill-opacity': 0.5 } },
    { id: 'changes-fill', type: 'fill', source: 'changes',
      paint: { 'fill-color': ['match', ['get', 'kind'], 'gained', COLORS.gained, COLORS.lost],
        'fill-opacity': 0.75 } },
    { id: 'changes-outline', type: 'line', source: 'changes',
      paint: { 'line-color': ['match', ['get', 'kind'], 'gained', COLORS.gained, COLORS.lost],
        'line-width': 1.2 } },
    { id: 'frontline-line', type: 'line', source: 'frontline',
      filter: ['all', LINE, ['!', ['in', ['get', 'kind'], GREY_KINDS]]],
      paint: { 'line-color': COLORS.line, 'line-width': 2 } },
    { id: 'cf-line', type: 'line', source: 'ceasefire',
      filter: ['all', LINE, ['!', CF_ZONE]],
      paint: { 'line-color': COLORS.ceasefire, 'line-width': 2.5, 'line-dasharray': [2, 1] } },
  ];
  for (const group of ['bases', 'air', 'sea']) {
    const filter = (geom) => ['all', geom, ['==', ['get', '_group'], group]];
    const color = pkgColor(group);
    layers.push(
      { id: `pkg-${group}-fill`, type: 'fill', source: 'package', filter: filter(POLY),
        paint: { 'fill-color': color, 'fill-opacity': 0.15 } },
      { id: `pkg-${group}-line`, type: 'line', source: 'package', filter: ['any', filter(LINE), filter(POLY)],
        paint: { 'line-color': color, 'line-width': ['case', LINE, 3, 1.2] } },
      { id: `pkg-${group}-point`, type: 'circle', source: 'package', filter: filter(POINT),
        paint: { 'circle-color': color, 'circle-radius': 6, 'circle-stroke-color': '#fff',
          'circle-stroke-width': 1.5 } },
    );
  }
  layers.push(
    { id: 'settlements-small', type: 'circle', source: 'settlements', minzoom: 7,
      filter: ['<', ['get', 'population'], 100000],
      paint: { 'circle-color': COLORS.town, 'circle-radius': 2.5 } },
    { id: 'settlements-big', type: 'circle', source: 'settlements',
      filter: ['>=', ['get', 'population'], 100000],
      paint: { 'circle-color': COLORS.town, 'circle-radius': 4, 'circle-stroke-color': '#fff',
        'circle-stroke-width': 1 } },
  );
  const sources = {};
  for (const name of ['countries', 'sea', 'oblasts', 'settlements', 'frontline', 'changes',
    'ceasefire', 'package']) {
    sources[name] = geojsonSource();
  }
  return { version: 8, sources, layers };
}

/** Layers whose features show a popup when clicked. */
const CLICKABLE = [
  'settlements-big', 'settlements-small', 'changes-fill', 'cf-line', 'cf-fill',
  'pkg-bases-point', 'pkg-air-point', 'pkg-sea-point', 'pkg-sea-line', 'pkg-bases-fill',
  'pkg-air-fill', 'pkg-sea-fill', 'frontline-line', 'frontline-occupied',
];

/**
 * Create the map in `container`.
 * @param {string} container element id
 * @param {{center?: number[], zoom?: number}} view initial camera (else Ukraine)
 * @returns {Promise<import('maplibre-gl').Map>} resolved once the style has loaded
 */
export function createMap(container, view) {
  const options = {
    container,
    style: buildStyle(),
    attributionControl: false,
    // Needed for "Export PNG": keeps the last frame readable from the canvas.
    canvasContextAttributes: { preserveDrawingBuffer: true },
    maxZoom: 14,
    renderWorldCopies: false,
  };
  if (view.center && view.zoom !== null) {
    options.center = view.center;
    options.zoom = view.zoom;
  } else {
    options.bounds = UKRAINE_BOUNDS;
    // Keep the west of Ukraine clear of the layer panel.
    options.fitBoundsOptions = { padding: { top: 10, bottom: 10, left: 200, right: 10 } };
  }
  const map = new MapLibreMap(options);
  map.on('click', CLICKABLE, (e) => {
    const feature = e.features && e.features[0];
    if (!feature) return;
    new Popup({ maxWidth: '320px' }).setLngLat(e.lngLat).setDOMContent(featurePopup(feature)).addTo(map);
  });
  for (const id of CLICKABLE) {
    map.on('mouseenter', id, () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', id, () => { map.getCanvas().style.cursor = ''; });
  }
  return new Promise((resolve, reject) => {
    map.once('load', () => resolve(map));
    map.once('error', (e) => reject(e.error || new Error('map failed to load')));
  });
}

/** Replace the data of a GeoJSON source. */
export function setData(map, source, data) {
  map.getSource(source).setData(data || EMPTY);
}

/** Show or hide every map layer of a group. */
export function setGroupVisible(map, group, visible) {
  for (const id of GROUP_LAYERS[group] || []) {
    map.setLayoutProperty(id, 'visibility', visible ? 'visible' : 'none');
  }
  if (group === 'settlements') map.getContainer().classList.toggle('labels-off', !visible);
}

/**
 * HTML labels for the larger settlements (no glyphs needed), largest first; a label that
 * would overlap a larger town's is hidden. Labels are hidden below zoom 4, and with the
 * settlements layer, by CSS classes on the map container.
 * @returns {Marker[]} the markers added
 */
export function addCityLabels(map, settlements, minPopulation = 250000) {
  const towns = (settlements.features || [])
    .filter((f) => f.properties?.population >= minPopulation && !f.properties.is_section
      && f.geometry?.type === 'Point')
    .sort((a, b) => b.properties.population - a.properties.population);
  const markers = towns.map((f) => {
    const el = document.createElement('div');
    el.className = 'city-label';
    el.textContent = f.properties.name;
    return new Marker({ element: el, anchor: 'left', offset: [6, 0] })
      .setLngLat(f.geometry.coordinates).addTo(map);
  });
  const update = () => {
    map.getContainer().classList.toggle('labels-hidden', map.getZoom() < 4);
    // Greedy decluttering: keep a label unless it overlaps one already kept.
    const kept = [];
    for (const marker of markers) {
      const p = map.project(marker.getLngLat());
      const el = marker.getElement();
      const box = { x0: p.x + 6, x1: p.x + 6 + el.textContent.length * 7, y0: p.y - 8, y1: p.y + 8 };
      const clash = kept.some((k) => box.x0 < k.x1 && k.x0 < box.x1 && box.y0 < k.y1 && k.y0 < box.y1);
      el.classList.toggle('collide', clash);
      if (!clash) kept.push(box);
    }
  };
  map.on('moveend', update);
  update();
  return markers;
}

/** The zoom bucket sent to the API (integer 0..14). */
export function zoomBucket(map) {
  return Math.max(0, Math.min(14, Math.round(map.getZoom())));
}
