// Thin client for garant's JSON API (see `garant serve`, OpenAPI at /api/docs).
// Every function returns parsed JSON or throws an ApiError whose message is the
// server's one-line error (FastAPI's {"detail": ...}) or the HTTP status.

/** An API call that failed; `status` is the HTTP status (0 for a network error). */
export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

// Relative to the page, so the app also works below a path prefix.
const BASE = new URL('.', window.location.href);

let token = sessionStorage.getItem('garant-token') || '';

/** Set the bearer token sent with writes (kept for this browser tab only). */
export function setToken(value) {
  token = (value || '').trim();
  sessionStorage.setItem('garant-token', token);
}

/** The token in use ('' when none). */
export function getToken() {
  return token;
}

/** Turn FastAPI's error body into one line. */
function errorMessage(body, status) {
  const detail = body && body.detail;
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail) && detail.length) {
    // pydantic validation errors: [{loc: [...], msg: "..."}]
    return detail.map((d) => `${(d.loc || []).slice(1).join('.')}: ${d.msg}`).join('; ');
  }
  return `HTTP ${status}`;
}

async function request(path, options = {}) {
  const headers = { Accept: 'application/json', ...(options.headers || {}) };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.auth && token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(new URL(path, BASE), {
      method: options.method || 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(`network error: ${err.message}`, 0);
  }
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) throw new ApiError(errorMessage(body, response.status), response.status);
  return body;
}

const enc = encodeURIComponent;

export const api = {
  dates: () => request('api/dates'),
  frontline: (date, z) => request(`api/frontline/${enc(date)}?z=${z}`),
  measures: (date) => request(`api/measures/${enc(date)}`),
  monthly: () => request('api/monthly'),
  changes: (since, until, z) =>
    request(`api/changes?since=${enc(since)}&until=${enc(until)}&z=${z}`),
  ceasefires: () => request('api/ceasefire'),
  ceasefire: (name) => request(`api/ceasefire/${enc(name)}.geojson`),
  base: (layer) => request(`api/base/${enc(layer)}`),
  packages: () => request('api/packages'),
  package: (name) => request(`api/packages/${enc(name)}`),
  validate: (toml) => request('api/packages/validate', { method: 'POST', body: { toml } }),
  assess: (body) => request('api/assessments', { method: 'POST', body, auth: true }),
  assessment: (id) => request(`api/assessments/${enc(id)}`),
  assessmentLayers: (id) => request(`api/assessments/${enc(id)}/layers`),
};

/** Absolute URL of a server path such as "/reports/<id>/report.html". */
export function serverUrl(path) {
  return new URL(String(path).replace(/^\//, ''), BASE).href;
}
