// The console's shell: sign-in, the screens a role may use, the session clock, sign-out.
// Screens are addressed by the URL fragment (#/calls, #/calls/<id>, #/audit …) so a reload or a
// bookmark opens the same screen; a screen the role lacks says "not allowed". Nothing personal
// (no caller number, no search filter) ever goes into the URL.
import * as api from './api.js';
import * as session from './session.js';
import {formatTime, h, replace} from './dom.js';
import {SCREENS} from './screens.js';
import * as signin from './screens/signin.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const navList = document.getElementById('nav-list');
const who = document.getElementById('who');
const whoName = document.getElementById('who-name');
const expiry = document.getElementById('session-expiry');
const idleWarning = document.getElementById('idle-warning');
const idleWarningAlert = document.getElementById('idle-warning-alert');
const idleWarningText = document.getElementById('idle-warning-text');
const accountLink = document.getElementById('account-link');

let cleanup = null;
let shownScreen = null;

function segments() {
  const hash = window.location.hash || '';
  if (!hash.startsWith('#/')) {
    return [];
  }
  return hash.slice(2).split('/').filter(Boolean).map(decodeURIComponent);
}

function runCleanup() {
  if (cleanup) {
    try {
      cleanup();
    } catch (e) {
      // a screen that fails to clean up must not keep the next one from showing
    }
    cleanup = null;
  }
}

function showSignIn(notice) {
  runCleanup();
  nav.hidden = true;
  who.hidden = true;
  idleWarning.hidden = true;
  replace(navList);
  document.title = 'Sign in · consent-recorder';
  signin.render(main, {notice, onSession: startSession});
}

async function startSession(answer) {
  const me = await api.me(answer.token);
  session.start(answer, me);
  route();
}

function renderChrome(current) {
  const s = session.get();
  replace(whoName, `${s.username} · ${s.role}`);
  replace(navList, SCREENS.filter((screen) => screen.inNav !== false && screen.allowed()).map((screen) =>
    h('li', {}, h('a', {href: `#/${screen.path}`, 'aria-current': screen === current ? 'page' : null}, screen.title))));
  nav.hidden = false;
  who.hidden = false;
  // the role requires a second factor and none is enrolled: said in the header on every screen
  accountLink.classList.toggle('needs-attention', session.enrolmentOnly());
  replace(accountLink, session.enrolmentOnly() ? 'Second factor needed' : 'Second factor');
  accountLink.setAttribute('aria-current', current && current.path === 'account' ? 'page' : 'false');
}

function notAllowed(container, screen) {
  const role = session.get().role;
  replace(container,
      h('h1', {tabindex: -1}, 'Not allowed'),
      h('p', {class: 'message message-error', role: 'alert'},
          `Your role (${role}) may not use the ${screen.title} screen.`),
      h('p', {}, 'The admin API refuses these requests for your role as well. Ask an admin if your work needs this screen.'));
}

function noSuchScreen(container) {
  replace(container,
      h('h1', {tabindex: -1}, 'No such screen'),
      h('p', {}, 'Use the navigation above to open a screen.'));
}

function route() {
  runCleanup();
  if (!session.get()) {
    showSignIn(null);
    return;
  }
  const parts = segments();
  if (session.enrolmentOnly() && parts[0] !== 'account') {
    // this session may only enrol a second factor (the API refuses everything else): go there
    window.location.replace('#/account');
    return;
  }
  const allowed = SCREENS.filter((screen) => screen.inNav !== false && screen.allowed());
  if (parts.length === 0) {
    if (allowed.length === 0) {
      shownScreen = null;
      renderChrome(null);
      replace(main, h('h1', {tabindex: -1}, 'Nothing to show'),
          h('p', {}, 'Your role has no screen in this console.'));
      return;
    }
    window.location.replace(`#/${allowed[0].path}`);
    return;
  }
  const screen = SCREENS.find((candidate) => candidate.path === parts[0]);
  shownScreen = screen || null;
  renderChrome(screen);
  const container = h('div', {class: 'screen'});
  replace(main, container);
  if (!screen) {
    noSuchScreen(container);
    document.title = 'No such screen · consent-recorder';
  } else if (!screen.allowed()) {
    notAllowed(container, screen);
    document.title = `Not allowed · consent-recorder`;
  } else {
    document.title = `${screen.title} · consent-recorder`;
    cleanup = screen.render(container, {params: parts.slice(1)}) || null;
  }
  const heading = container.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
}

const ENDED = {
  signed_out: {kind: 'ok', text: 'You are signed out.'},
  idle: {kind: 'info', text: 'You were signed out after 10 minutes without activity.'},
  rejected: {kind: 'info', text: 'The server ended your session (it expired or was revoked). Sign in again.'},
};

function onSessionEvent(event) {
  if (event.type === 'tick') {
    const minutes = Math.ceil(event.remainingMs / 60000);
    replace(expiry, `Session ends ${formatTime(new Date(event.session.expiresAt).toISOString()).slice(11, 16)} `
        + `(in ${minutes} min)`);
    if (event.idleSignOutInMs !== null) {
      if (idleWarning.hidden) {
        // announced once; the countdown below it is not read out every second
        idleWarning.hidden = false;
        replace(idleWarningAlert, 'No activity for a while: you will be signed out unless you stay.');
      }
      replace(idleWarningText, `Signing out in ${Math.ceil(event.idleSignOutInMs / 1000)} s.`);
    } else if (!idleWarning.hidden) {
      idleWarning.hidden = true;
      replace(idleWarningAlert);
    }
  } else if (event.type === 'updated') {
    if (!nav.hidden) {
      renderChrome(shownScreen);
    }
  } else if (event.type === 'ended') {
    SCREENS.forEach((screen) => screen.forget && screen.forget());
    if (event.reason === 'idle') {
      // the token may still be valid on the server: revoke it (best effort; it expires anyway)
      api.logout(event.session.token).catch(() => {});
    }
    const notice = event.reason === 'expired'
      ? {kind: 'info', text: `Your session ended at ${formatTime(new Date(event.at).toISOString()).slice(11)}. Sign in again.`}
      : ENDED[event.reason] || null;
    showSignIn(notice);
  }
}

async function signOut() {
  const s = session.get();
  if (!s) {
    return;
  }
  let notice = null;
  try {
    await api.post('/auth/logout');
  } catch (e) {
    notice = {kind: 'warn', text: `Signed out here, but the server could not be told (${e.message}); `
        + 'the session ends at its expiry.'};
  }
  // the next person to sign in here starts at their own first screen, not at this one
  window.history.replaceState(null, '', window.location.pathname);
  session.end('signed_out');
  if (notice) {
    showSignIn(notice);
  }
}

function wire() {
  document.getElementById('sign-out').addEventListener('click', signOut);
  document.getElementById('stay-signed-in').addEventListener('click', () => {
    session.touch();
    idleWarning.hidden = true;
    replace(idleWarningAlert);
  });
  document.getElementById('skip-link').addEventListener('click', (event) => {
    event.preventDefault();
    const target = main.querySelector('h1') || main;
    target.focus();
  });
  for (const type of ['keydown', 'pointerdown', 'wheel', 'touchstart']) {
    document.addEventListener(type, () => session.touch(), {passive: true, capture: true});
  }
  session.subscribe(onSessionEvent);
  window.addEventListener('hashchange', route);
  setInterval(() => session.tick(), 1000);
}

async function boot() {
  wire();
  if (session.restore()) {
    try {
      session.update(await api.get('/auth/me'));
    } catch (e) {
      if (session.get()) {
        replace(main, h('h1', {tabindex: -1}, 'The console cannot reach the server'),
            h('p', {class: 'message message-error', role: 'alert'}, e.message));
        return;
      }
      // a 401 ended the session and the sign-in shows why
      return;
    }
  }
  session.tick();
  route();
}

boot();
