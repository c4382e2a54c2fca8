// garant web front end: wires the map, the time slider, the side panel, the package
// editor and the URL hash together. The API is described at /api/docs.

import './style.css';

import { api } from './api.js';
import { drawMonthlyChart } from './chart.js';
import { addMonths, onOrBefore } from './dates.js';
import { download, mapToPng } from './export.js';
import { addCityLabels, createMap, setData, setGroupVisible, zoomBucket } from './map.js';
import { PackageEditor } from './packages.js';
import { showChanges, showMeasures, showMeasuresError } from './panel.js';
import { formatHash, LAYER_GROUPS, parseHash } from './state.js';
import { flattenPackageLayers, packagesIn } from './style-layers.js';
import { Timeline } from './timeline.js';

const $ = (id) => document.getElementById(id);

/** A small least-recently-used cache of API answers. */
class Lru {
  constructor(size) {
    this.size = size;
    this.items = new Map();
  }

  async get(key, load) {
    if (this.items.has(key)) {
      const value = this.items.get(key);
      this.items.delete(key);
      this.items.set(key, value);
      return value;
    }
    const value = await load();
    this.items.set(key, value);
    if (this.items.size > this.size) this.items.delete(this.items.keys().next().value);
    return value;
  }
}

const app = {
  map: null,
  view: parseHash(window.location.hash),
  dates: [],
  timeline: null,
  editor: null,
  highlightMonth: () => {},
  frontlineCache: new Lru(96),
  measuresCache: new Lru(256),
  seq: 0, // latest date request; older answers are dropped
  packageLayers: null, // flattened FeatureCollection of the shown assessment
  bucket: null,
};
// Exposed for debugging and the end-to-end tests.
window.garantApp = app;

function status(text, kind = '') {
  const node = $('status');
  node.textContent = text;
  node.className = kind;
}

/** Write the view into the URL without adding a history entry. */
function saveView() {
  const hash = formatHash(app.view);
  if (hash !== window.location.hash) window.history.replaceState(null, '', hash);
}

/** Show a date: frontline, measures, chart highlight, changes. Resolves once drawn. */
async function showDate(iso) {
  const seq = ++app.seq;
  app.view.date = iso;
  saveView();
  const snap = onOrBefore(app.dates, iso);
  if (snap === null) {
    status(`No snapshot on or before ${iso}.`, 'error');
    return;
  }
  const z = zoomBucket(app.map);
  try {
    const [fc, measures] = await Promise.all([
      app.frontlineCache.get(`${snap}|${z}`, () => api.frontline(snap, z)),
      app.measuresCache.get(snap, () => api.measures(snap)),
    ]);
    if (seq !== app.seq) return; // a later date was asked for meanwhile
    setData(app.map, 'frontline', fc);
    const shown = fc.features?.[0]?.properties?.date_shown || measures.date_shown || snap;
    $('date-shown').textContent = shown === iso ? '' : `(map of ${shown})`;
    showMeasures(measures);
    app.highlightMonth(String(shown).slice(0, 7));
    status('');
  } catch (err) {
    if (seq !== app.seq) return;
    status(err.message, 'error');
    showMeasuresError(err.message);
  }
  if (app.view.layers.has('changes')) await loadChanges(seq);
}

/** Gains and losses between the "since" date and the date chosen. */
async function loadChanges(seq = app.seq) {
  const until = app.view.date;
  const since = app.view.since || addMonths(until, -1);
  $('changes-since').value = since;
  if (since >= until) {
    setData(app.map, 'changes', null);
    showChanges({ features: [] });
    return;
  }
  try {
    const fc = await api.changes(since, until, zoomBucket(app.map));
    if (seq !== app.seq) return;
    setData(app.map, 'changes', fc);
    showChanges(fc);
  } catch (err) {
    status(`Changes: ${err.message}`, 'error');
  }
}

/** Load the chosen frozen ceasefire line with its zones. */
async function loadCeasefire() {
  const name = app.view.cf;
  if (!name || !app.view.layers.has('ceasefire')) {
    setData(app.map, 'ceasefire', null);
    return;
  }
  try {
    setData(app.map, 'ceasefire', await api.ceasefire(name));
  } catch (err) {
    status(`Ceasefire: ${err.message}`, 'error');
  }
}

async function initCeasefires() {
  const select = $('ceasefire-select');
  let names = [];
  try {
    const answer = await api.ceasefires();
    const list = Array.isArray(answer) ? answer : answer?.lines || answer?.ceasefires || [];
    names = list.map((c) => (typeof c === 'string' ? c : c.name)).filter(Boolean);
  } catch (err) {
    status(`Ceasefire lines: ${err.message}`, 'error');
  }
  select.replaceChildren();
  for (const name of names) select.append(new Option(name, name));
  if (!names.length) {
    select.append(new Option('none frozen', ''));
    select.disabled = true;
  }
  if (!names.includes(app.view.cf)) app.view.cf = names[0] || null;
  select.value = app.view.cf || '';
  select.addEventListener('change', () => {
    app.view.cf = select.value || null;
    saveView();
    loadCeasefire();
  });
}

/** Show only the chosen package's features (all when it is not among them). */
function filterPackageLayers() {
  const fc = app.packageLayers;
  if (!fc) return;
  const names = packagesIn(fc);
  const select = $('package-layers-select');
  const chosen = names.includes(app.view.pkg) ? app.view.pkg : names[0] || null;
  select.value = chosen || '';
  const features = chosen ? fc.features.filter((f) => f.properties.package === chosen) : fc.features;
  setData(app.map, 'package', { type: 'FeatureCollection', features });
  app.map.getContainer().dataset.packageFeatures = String(features.length);
}

/** Fetch and draw the layers of an assessment. */
async function loadAssessmentLayers(id) {
  try {
    app.packageLayers = flattenPackageLayers(await api.assessmentLayers(id));
  } catch (err) {
    status(`Package layers: ${err.message}`, 'error');
    return;
  }
  const select = $('package-layers-select');
  select.replaceChildren(...packagesIn(app.packageLayers).map((n) => new Option(n, n)));
  filterPackageLayers();
}

function initLayerToggles() {
  for (const box of document.querySelectorAll('#layers input[data-layer]')) {
    const group = box.dataset.layer;
    box.checked = app.view.layers.has(group);
    setGroupVisible(app.map, group, box.checked);
    box.addEventListener('change', () => {
      if (box.checked) app.view.layers.add(group);
      else app.view.layers.delete(group);
      setGroupVisible(app.map, group, box.checked);
      saveView();
      if (group === 'changes') {
        if (box.checked) loadChanges();
        else showChanges(null);
      }
      if (group === 'ceasefire') loadCeasefire();
    });
  }
  $('changes-since').addEventListener('change', () => {
    app.view.since = $('changes-since').value || null;
    saveView();
    if (app.view.layers.has('changes')) loadChanges();
  });
  $('package-layers-select').addEventListener('change', () => {
    app.view.pkg = $('package-layers-select').value || null;
    saveView();
    filterPackageLayers();
  });
}

async function loadBaseLayers() {
  const names = ['countries', 'sea', 'oblasts', 'settlements'];
  const answers = await Promise.allSettled(names.map((n) => api.base(n)));
  answers.forEach((answer, i) => {
    if (answer.status === 'fulfilled') setData(app.map, names[i], answer.value);
    else status(`Base layer ${names[i]}: ${answer.reason.message}`, 'error');
  });
  if (answers[3].status === 'fulfilled') addCityLabels(app.map, answers[3].value);
}

async function initChart() {
  try {
    const answer = await api.monthly();
    const rows = Array.isArray(answer) ? answer : answer?.records || answer?.months || [];
    app.highlightMonth = drawMonthlyChart($('monthly-chart'), rows, (row) => {
      app.timeline.pause();
      app.timeline.set(row.to_date || `${row.month}-28`);
    });
    if (app.view.date) app.highlightMonth(app.view.date.slice(0, 7));
  } catch (err) {
    $('monthly-chart').textContent = err.message;
  }
}

/** Re-apply a view from a pasted or edited link. */
function applyHash() {
  const view = parseHash(window.location.hash);
  for (const group of LAYER_GROUPS) {
    const box = document.querySelector(`#layers input[data-layer="${group}"]`);
    if (box && box.checked !== view.layers.has(group)) {
      box.checked = view.layers.has(group);
      box.dispatchEvent(new Event('change'));
    }
  }
  app.view.since = view.since;
  if (view.center && view.zoom !== null) app.map.jumpTo({ center: view.center, zoom: view.zoom });
  if (view.cf && view.cf !== app.view.cf) {
    app.view.cf = view.cf;
    $('ceasefire-select').value = view.cf;
    loadCeasefire();
  }
  if (view.pkg && view.pkg !== app.view.pkg) {
    app.view.pkg = view.pkg;
    app.editor.load(view.pkg, false);
    filterPackageLayers();
  }
  if (view.run && view.run !== app.view.run) {
    app.view.run = view.run;
    loadAssessmentLayers(view.run);
  }
  if (view.date && view.date !== app.view.date) app.timeline.set(view.date);
}

async function main() {
  status('Loading…', 'busy');
  let datesAnswer;
  try {
    [datesAnswer, app.map] = await Promise.all([api.dates(), createMap('map', app.view)]);
  } catch (err) {
    status(`Cannot start: ${err.message}`, 'error');
    return;
  }
  app.dates = datesAnswer.dates || [];
  if (!app.dates.length) {
    status('The store has no snapshots.', 'error');
    return;
  }
  app.bucket = zoomBucket(app.map);
  initLayerToggles();
  const base = loadBaseLayers();
  app.timeline = new Timeline(app.dates, showDate);
  app.editor = new PackageEditor(
    (pkg) => {
      app.view.pkg = pkg;
      saveView();
      filterPackageLayers();
    },
    (run) => {
      app.view.run = run.id;
      if (run.packages.length && !run.packages.includes(app.view.pkg)) [app.view.pkg] = run.packages;
      saveView();
      loadAssessmentLayers(run.id);
    },
  );
  app.map.on('moveend', () => {
    const c = app.map.getCenter();
    app.view.center = [c.lng, c.lat];
    app.view.zoom = app.map.getZoom();
    saveView();
    const bucket = zoomBucket(app.map);
    if (bucket !== app.bucket && app.view.date) {
      app.bucket = bucket;
      showDate(app.view.date);
    }
  });
  $('export-png').addEventListener('click', () => {
    const caption = `garant · frontline ${app.view.date}${app.view.pkg ? ` · ${app.view.pkg}` : ''}`;
    download(mapToPng(app.map, caption), `garant-${app.view.date}.png`);
  });
  window.addEventListener('hashchange', applyHash);

  await Promise.all([
    initChart(),
    initCeasefires().then(loadCeasefire),
    app.editor.init(app.view.pkg).then(() => {
      app.view.pkg = app.view.pkg || app.editor.name;
    }),
    base,
  ]);
  await app.timeline.set(app.view.date || app.dates.at(-1));
  if (app.view.run) await loadAssessmentLayers(app.view.run);
  document.body.dataset.ready = 'true';
}

main();
