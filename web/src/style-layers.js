// Colours, feature popups and the grouping of package features into the three
// toggles (bases + reach, air units + coverage, sea corridor + threats).

export const COLORS = {
  sea: '#cfe3f0',
  land: '#f1efe9',
  ukraine: '#fbfaf6',
  border: '#8a8a8a',
  oblast: '#b9b5ab',
  occupied: '#c0392b',
  grey: '#8e8e8e',
  line: '#7b1b12',
  gained: '#e74c3c',
  lost: '#2e86de',
  ceasefire: '#111111',
  zone: '#f1c40f',
  band: '#e67e22',
  town: '#4a4a4a',
  bases: '#1e8449',
  air: '#7d3c98',
  sea_pkg: '#117a8b',
  threat: '#d35400',
};

/** Colour of a package layer group. */
export function pkgColor(group) {
  if (group === 'bases') return COLORS.bases;
  if (group === 'air') return COLORS.air;
  // Sea: threat rings in orange, the corridor in teal.
  return ['case', ['==', ['get', '_threat'], true], COLORS.threat, COLORS.sea_pkg];
}

/** Toggle of each package layer name the API uses (GET /api/assessments/{id}/layers). */
const LAYER_GROUP = {
  bases: 'bases',
  reach: 'bases',
  air_units: 'air',
  air_coverage: 'air',
  sea_route: 'sea',
  threat_rings: 'sea',
  mine_areas: 'sea',
  cap_stations: 'sea',
};

/**
 * Which toggle a package feature belongs to: by its `layer` name, else guessed from
 * its `layer`/`kind` words.
 * @returns {'bases'|'air'|'sea'}
 */
export function packageGroup(props) {
  if (LAYER_GROUP[props.layer]) return LAYER_GROUP[props.layer];
  const words = [props.layer, props.kind].filter((v) => typeof v === 'string').join(' ').toLowerCase();
  if (/(sea|ship|route|corridor|threat|mine|naval|convoy)/.test(words)) return 'sea';
  if (/(air|coverage|fighter|radar)/.test(words)) return 'air';
  return 'bases';
}

/**
 * Flatten the /api/assessments/{id}/layers answer into one FeatureCollection whose
 * features carry `package`, `_group` and `_threat`. Accepts a FeatureCollection, an
 * object of package name -> FeatureCollection (or -> {layer name -> FeatureCollection}),
 * optionally wrapped in {"packages": ...} or {"layers": ...}.
 */
export function flattenPackageLayers(answer) {
  const features = [];
  const visit = (node, pkg, hint) => {
    if (!node || typeof node !== 'object') return;
    if (node.type === 'FeatureCollection') {
      for (const f of node.features || []) visit(f, pkg, hint);
      return;
    }
    if (node.type === 'Feature') {
      if (!node.geometry) return;
      const props = { ...(node.properties || {}) };
      if (!props.package && pkg) props.package = pkg;
      if (!props.layer && hint) props.layer = hint;
      props._group = packageGroup(props);
      props._threat = /threat|mine/.test(String(props.layer || '').toLowerCase());
      features.push({ ...node, properties: props });
      return;
    }
    const inner = node.packages || node.layers;
    if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
      visit(inner, pkg, hint);
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      if (Array.isArray(value)) {
        value.forEach((v) => visit(v, pkg, hint));
      } else if (value && typeof value === 'object') {
        // The first level of names are packages, the next are layer names.
        if (pkg === null) visit(value, key, null);
        else visit(value, pkg, key);
      }
    }
  };
  visit(answer, null, null);
  return { type: 'FeatureCollection', features };
}

/** Names of the packages in a flattened FeatureCollection, in order of appearance. */
export function packagesIn(fc) {
  return [...new Set(fc.features.map((f) => f.properties.package).filter(Boolean))];
}

/** Format a property value for display. */
export function formatValue(value) {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return '—';
    return Math.abs(value) >= 100 || Number.isInteger(value)
      ? Math.round(value).toLocaleString('en')
      : value.toLocaleString('en', { maximumFractionDigits: 2 });
  }
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** A popup's content: the feature's properties as a small table (text only, no HTML). */
export function featurePopup(feature) {
  const table = document.createElement('table');
  table.className = 'popup-table';
  const props = feature.properties || {};
  for (const [key, value] of Object.entries(props)) {
    if (key.startsWith('_') || key === 'geonameid' || value === null || value === undefined) continue;
    const row = table.insertRow();
    row.insertCell().textContent = key.replace(/_/g, ' ');
    // GeoJSON sources stringify nested objects; show them as they are.
    row.insertCell().textContent = formatValue(value);
  }
  return table;
}
