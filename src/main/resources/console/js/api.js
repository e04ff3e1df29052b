// The console's only way to the server: the documented admin API under /api/v1, with the session's
// bearer token. Errors come back as ApiError with the API's code and its message for people.

import * as session from './session.js';

export const BASE = '/api/v1';

export class ApiError extends Error {
  constructor(status, code, message, body) {
    super(message || code || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.body = body || null;
  }
}

function url(path, query) {
  const u = new URL(BASE + path, window.location.origin);
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== '') {
      u.searchParams.set(key, String(value));
    }
  }
  return u;
}

async function errorOf(res) {
  let body = null;
  try {
    body = await res.json();
  } catch (e) {
    // not JSON: described by the status below
  }
  if (body && typeof body.error === 'string') {
    return new ApiError(res.status, body.error, body.message, body);
  }
  return new ApiError(res.status, `http_${res.status}`, `The server answered ${res.status} ${res.statusText}`);
}

// While requests are out, the page says so (aria-busy on <main>): assistive technology waits for the
// update, and a reader of the page (a person, or a test) knows when what it shows has settled.
let pending = 0;
function busy(delta) {
  pending += delta;
  const main = document.getElementById('main');
  if (main) {
    main.setAttribute('aria-busy', pending > 0 ? 'true' : 'false');
  }
}

async function send(method, path, options = {}) {
  busy(1);
  try {
    return await sendNow(method, path, options);
  } finally {
    busy(-1);
  }
}

async function sendNow(method, path, {query, body, headers, authenticated = true} = {}) {
  const h = {accept: 'application/json', ...(headers || {})};
  if (authenticated) {
    const token = session.token();
    if (!token) {
      throw new ApiError(401, 'unauthorized', 'You are signed out.');
    }
    h.authorization = `Bearer ${token}`;
  }
  if (body !== undefined) {
    h['content-type'] = 'application/json';
  }
  let res;
  try {
    res = await fetch(url(path, query), {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
      redirect: 'error',
      referrerPolicy: 'no-referrer',
    });
  } catch (e) {
    throw new ApiError(0, 'network', 'The server cannot be reached. Check the connection and try again.');
  }
  if (res.status === 401 && authenticated) {
    // the token expired or was revoked (e.g. an admin changed the account): the session is over
    session.end('rejected');
  }
  if (!res.ok) {
    throw await errorOf(res);
  }
  return res;
}

async function json(method, path, options) {
  const res = await send(method, path, options);
  return res.status === 204 ? null : res.json();
}

export const get = (path, query) => json('GET', path, {query});
export const post = (path, body) => json('POST', path, {body: body === undefined ? {} : body});
export const patch = (path, body) => json('PATCH', path, {body});
export const del = (path) => json('DELETE', path, {});

/** POST /auth/login without a token. The answer is the session, or a second-factor challenge. */
export const login = (username, password) => json('POST', '/auth/login',
    {body: {username, password}, authenticated: false});

/**
 * POST /auth/login/mfa without a token: the challenge of step one and either a 6-digit code
 * ({code}) or a recovery code ({recovery_code}). The answer is the session.
 */
export const loginSecondFactor = (challenge, factor) => json('POST', '/auth/login/mfa',
    {body: {challenge, ...factor}, authenticated: false});

/** GET /auth/me for a token that is not yet the session's (right after the login). */
export async function me(token) {
  const res = await fetch(url('/auth/me'), {
    headers: {authorization: `Bearer ${token}`, accept: 'application/json'},
    cache: 'no-store',
    credentials: 'omit',
    referrerPolicy: 'no-referrer',
  });
  if (!res.ok) {
    throw await errorOf(res);
  }
  return res.json();
}

/** POST /auth/logout for a token that is no longer the current session's (sign-out on idle). */
export async function logout(token) {
  await fetch(url('/auth/logout'), {
    method: 'POST',
    headers: {authorization: `Bearer ${token}`, 'content-type': 'application/json'},
    body: '{}',
    cache: 'no-store',
    credentials: 'omit',
    referrerPolicy: 'no-referrer',
  });
}

/**
 * Fetches a body (audio, an export) as a Blob, reporting progress (0..1, or null when the size is
 * unknown). Returns {blob, type, filename}.
 */
export async function download(path, query, onProgress) {
  return readBody(await send('GET', path, {query, headers: {accept: '*/*'}}), onProgress);
}

/** As download, for a route that takes what it needs in a JSON body (e.g. a purpose and a reason). */
export async function downloadPosted(path, body, onProgress) {
  return readBody(await send('POST', path, {body, headers: {accept: '*/*'}}), onProgress);
}

async function readBody(res, onProgress) {
  const type = res.headers.get('content-type') || 'application/octet-stream';
  const total = Number(res.headers.get('content-length')) || 0;
  const disposition = res.headers.get('content-disposition') || '';
  const named = /filename="([^"]+)"/.exec(disposition);
  const reader = res.body.getReader();
  const chunks = [];
  let received = 0;
  for (;;) {
    const {done, value} = await reader.read();
    if (done) {
      break;
    }
    chunks.push(value);
    received += value.length;
    if (onProgress) {
      onProgress(total > 0 ? received / total : null);
    }
  }
  if (total > 0 && received !== total) {
    throw new ApiError(0, 'incomplete', 'The download ended early; nothing was saved. Try again.');
  }
  return {blob: new Blob(chunks, {type}), type, filename: named ? named[1] : null};
}
