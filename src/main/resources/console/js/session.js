// The signed-in operator: the session token, when it expires, the role and its permissions.
// The token lives in this module and in sessionStorage (this tab only, gone when the tab closes),
// never in localStorage and never in a cookie: nothing is sent automatically, so there is no CSRF
// surface. The session ends when the server's token expires or after IDLE_LIMIT_MS without input.

const KEY = 'cr.console.session';

/** Signed out after this long without keyboard, pointer or touch input (PCI DSS 8.2.8 asks for at most 15 min). */
export const IDLE_LIMIT_MS = 10 * 60 * 1000;
/** A warning with a "stay signed in" button this long before the idle sign-out. */
export const IDLE_WARNING_MS = 60 * 1000;

let current = null;
let lastActivity = Date.now();
const listeners = new Set();

function emit(event) {
  for (const listener of listeners) {
    listener(event);
  }
}

/** Listens to {type: 'started'|'updated'|'ended'|'tick', ...}; ended carries reason ('signed_out', 'expired', 'idle', 'rejected'). */
export function subscribe(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function persist() {
  if (current) {
    sessionStorage.setItem(KEY, JSON.stringify(current));
  } else {
    sessionStorage.removeItem(KEY);
  }
}

/** The session this tab had before a reload, if it has not expired. */
export function restore(now = Date.now()) {
  try {
    const saved = JSON.parse(sessionStorage.getItem(KEY) || 'null');
    if (saved && typeof saved.token === 'string' && saved.expiresAt > now) {
      current = saved;
      lastActivity = now;
      return current;
    }
  } catch (e) {
    // an unreadable entry is dropped below
  }
  sessionStorage.removeItem(KEY);
  return null;
}

/** Starts a session from the login answer and GET /auth/me. */
export function start(login, me, now = Date.now()) {
  const expiresAt = Date.parse(login.expires_at);
  current = {
    token: login.token,
    expiresAt: Number.isNaN(expiresAt) ? now + login.expires_in * 1000 : expiresAt,
    ...fromMe(me),
  };
  lastActivity = now;
  persist();
  emit({type: 'started', session: current});
}

/** What the console keeps of GET /auth/me. */
function fromMe(me) {
  return {
    username: me.name,
    role: me.role,
    permissions: me.permissions,
    // 'mfa_enrolment': the role needs a second factor the account has not enrolled; this session may only enrol one
    scope: me.scope || 'full',
    secondFactor: me.second_factor === true,
    mfaRequired: me.mfa_required === true,
  };
}

/** Refreshes the role, permissions and scope (after a reload, or after enrolling a second factor). */
export function update(me) {
  if (current) {
    current = {...current, ...fromMe(me)};
    persist();
    emit({type: 'updated', session: current});
  }
}

/** Whether this session may only enrol a second factor (its role requires one; none is enrolled yet). */
export function enrolmentOnly() {
  return Boolean(current && current.scope === 'mfa_enrolment');
}

/** Ends the session here; the caller revokes the token on the server where that still makes sense. */
export function end(reason, now = Date.now()) {
  if (!current) {
    return;
  }
  const ended = current;
  current = null;
  persist();
  emit({type: 'ended', reason, session: ended, at: now});
}

export function get() {
  return current;
}

export function token() {
  return current ? current.token : null;
}

/** Whether the signed-in role holds a permission (names as GET /auth/me gives them, e.g. "search"). */
export function can(permission) {
  return Boolean(current && current.permissions.includes(permission));
}

/** Input from the operator: the idle clock starts again. */
export function touch(now = Date.now()) {
  lastActivity = now;
}

/**
 * Checks expiry and idleness; the console calls it every second. Emits 'tick' with what the
 * header shows, or ends the session.
 */
export function tick(now = Date.now()) {
  if (!current) {
    return;
  }
  if (now >= current.expiresAt) {
    end('expired', now);
    return;
  }
  const idleFor = now - lastActivity;
  if (idleFor >= IDLE_LIMIT_MS) {
    end('idle', now);
    return;
  }
  emit({
    type: 'tick',
    session: current,
    remainingMs: current.expiresAt - now,
    idleSignOutInMs: idleFor >= IDLE_LIMIT_MS - IDLE_WARNING_MS ? IDLE_LIMIT_MS - idleFor : null,
  });
}
