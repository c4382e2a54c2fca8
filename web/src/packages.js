// The package editor: pick a preset (its TOML fills the textarea), edit, Validate
// (POST /api/packages/validate) and Run (POST /api/assessments) with a link to the report.

import { api, getToken, serverUrl, setToken } from './api.js';
import { formatValue } from './style-layers.js';

const $ = (id) => document.getElementById(id);

/** Columns of the result table: field of a table row, header. */
const RESULT_COLUMNS = [
  ['package', 'Package'],
  ['p_deterred', 'P(deterred)'],
  ['verdict', 'Verdict'],
  ['cost_usd_per_year', 'Cost USD/yr'],
  ['personnel_deployed', 'Troops'],
  ['half_measure', 'Half-measure'],
];

/** Normalise /api/packages into [{name, title, description}]. */
function presetList(answer) {
  const list = Array.isArray(answer) ? answer : answer?.packages || answer?.presets || [];
  return list.map((p) => (typeof p === 'string' ? { name: p } : p)).filter((p) => p && p.name);
}

/** The TOML text in a /api/packages/{name} answer. */
function tomlOf(answer) {
  return answer?.toml ?? answer?.toml_text ?? answer?.text ?? '';
}

/** An integer from an input's text, clamped to [lo, hi] (`fallback` when not a number). */
function clampInt(text, lo, hi, fallback) {
  const value = Math.round(Number(text));
  return Number.isFinite(value) && text !== '' ? Math.max(lo, Math.min(hi, value)) : fallback;
}

function say(target, text, kind = '') {
  const node = $(target);
  node.className = kind;
  node.textContent = text;
}

export class PackageEditor {
  /**
   * @param {(pkg: string|null) => void} onSelect called when the chosen preset changes
   * @param {(run: {id: string, packages: string[]}) => void} onAssessed called after a run
   */
  constructor(onSelect, onAssessed) {
    this.onSelect = onSelect;
    this.onAssessed = onAssessed;
    this.presets = [];
    this.original = ''; // TOML of the loaded preset, to tell whether it was edited
    $('token').value = getToken();
    $('token').addEventListener('change', () => setToken($('token').value));
    $('package-select').addEventListener('change', () => this.load($('package-select').value));
    $('validate').addEventListener('click', () => this.validate());
    // An edit makes the last validation stale.
    $('package-toml').addEventListener('input', () => say('validate-result', ''));
    $('run').addEventListener('click', () => this.run());
  }

  /** Fetch the presets and load `selected` (or the first). */
  async init(selected) {
    this.presets = presetList(await api.packages());
    const select = $('package-select');
    select.replaceChildren();
    for (const p of this.presets) {
      const option = document.createElement('option');
      option.value = p.name;
      option.textContent = p.title ? `${p.name} — ${p.title}` : p.name;
      select.append(option);
    }
    const name = this.presets.some((p) => p.name === selected) ? selected : this.presets[0]?.name;
    if (name) await this.load(name, false);
  }

  /** Load a preset's TOML into the editor. */
  async load(name, notify = true) {
    $('package-select').value = name;
    const preset = this.presets.find((p) => p.name === name) || {};
    $('package-description').textContent = preset.description || '';
    say('validate-result', '');
    try {
      const answer = await api.package(name);
      this.original = tomlOf(answer);
      $('package-toml').value = this.original;
    } catch (err) {
      say('validate-result', err.message, 'error');
    }
    if (notify) this.onSelect(name);
  }

  /** The chosen preset's name. */
  get name() {
    return $('package-select').value || null;
  }

  /** POST the editor's text for validation and show the result. */
  async validate() {
    say('validate-result', 'Validating…', 'busy');
    try {
      const answer = await api.validate($('package-toml').value);
      if (answer.ok) {
        say('validate-result', '✓ valid', 'ok');
      } else {
        const errors = (answer.errors || []).map((e) => (typeof e === 'string' ? e : e.message || JSON.stringify(e)));
        say('validate-result', `✗ ${errors.join('\n') || 'invalid'}`, 'error');
      }
      return answer.ok;
    } catch (err) {
      say('validate-result', `✗ ${err.message}`, 'error');
      return false;
    }
  }

  /** Run an assessment of the preset (or of the edited TOML) and show the table and link. */
  async run() {
    const text = $('package-toml').value;
    const runs = clampInt($('runs').value, 1, 20000, 2000);
    const body = {
      lang: $('lang').value,
      runs,
      air_runs: clampInt($('air-runs').value, 1, 1000, 100),
      seed: clampInt($('seed').value, 0, 2 ** 31 - 1, 0),
    };
    if (text === this.original && this.name) body.packages = [this.name];
    else body.toml = text;
    const result = $('run-result');
    result.className = 'busy';
    result.textContent = `Running ${runs} draws…`;
    $('run').disabled = true;
    try {
      const answer = await api.assess(body);
      this.showResult(answer);
      const packages = (answer.table || []).map((r) => r.package).filter(Boolean);
      this.onAssessed({ id: answer.id, packages });
    } catch (err) {
      result.className = 'error';
      result.textContent = err.status === 401 || err.status === 403
        ? `${err.message} (enter the server's token)` : err.message;
    } finally {
      $('run').disabled = false;
    }
  }

  /** Render an assessment answer: report link and table. */
  showResult(answer) {
    const result = $('run-result');
    result.className = '';
    result.replaceChildren();
    if (answer.report_url) {
      const link = document.createElement('a');
      link.id = 'report-link';
      link.href = serverUrl(answer.report_url);
      link.target = '_blank';
      link.rel = 'noopener';
      link.textContent = 'Open the report';
      result.append(link);
    }
    const table = document.createElement('table');
    table.className = 'result-table';
    const head = table.createTHead().insertRow();
    for (const [, label] of RESULT_COLUMNS) head.insertCell().textContent = label;
    const tbody = table.createTBody();
    for (const row of answer.table || []) {
      const tr = tbody.insertRow();
      for (const [key] of RESULT_COLUMNS) {
        const v = row[key];
        tr.insertCell().textContent = key === 'p_deterred' && typeof v === 'number'
          ? v.toFixed(2) : typeof v === 'boolean' ? (v ? 'yes' : 'no') : formatValue(v);
      }
    }
    result.append(table);
    result.scrollIntoView({ block: 'nearest' });
  }
}
