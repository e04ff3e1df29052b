// Admin: operator accounts (create, role, disable, new password, reset the second factor with a reason)
// and API tokens for integrations
// (create: the secret is shown once; revoke). #/admin/accounts and #/admin/tokens.
import * as api from '../api.js';
import * as session from '../session.js';
import {actionButton, confirmButton, field, h, message, messageRegion, onSubmit, replace, say, select, subNav, table, time} from '../dom.js';

const ROLES = [['admin', 'admin'], ['compliance', 'compliance'], ['supervisor', 'supervisor'], ['auditor', 'auditor'],
  ['agent', 'agent']];
const TABS = [['admin/accounts', 'Accounts', 'manage_accounts'], ['admin/tokens', 'API tokens', 'manage_tokens']];

export function render(container, {params}) {
  const tabs = TABS.filter(([, , permission]) => session.can(permission));
  const current = tabs.find(([path]) => path === `admin/${params[0] || ''}`) || tabs[0];
  const body = h('div', {});
  replace(container, h('h1', {}, 'Admin'), subNav('Admin tasks', tabs.map(([p, t]) => [p, t]), current[0]), body);
  if (current[0] === 'admin/accounts') {
    accounts(body);
  } else {
    tokens(body);
  }
  return null;
}

function accounts(body) {
  const status = messageRegion();
  const list = h('div', {});
  const username = h('input', {name: 'username', type: 'text', required: true, maxLength: 64, autocomplete: 'off',
    spellcheck: false, autocapitalize: 'none'});
  const password = h('input', {name: 'password', type: 'password', required: true, minLength: 12,
    autocomplete: 'new-password'});
  const role = select('role', ROLES, 'supervisor');
  const form = h('form', {class: 'form-grid', method: 'post', 'aria-label': 'Create an account'},
      h('h2', {class: 'wide'}, 'Create an account'),
      field('User name', username),
      field('Password', password, 'At least 12 characters; tell it to the person on another channel'),
      field('Role', role),
      h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'button-primary'}, 'Create')));
  onSubmit(form, async (data) => {
    try {
      const created = await api.post('/accounts', {username: data.username.trim(), password: data.password, role: data.role});
      form.reset();
      await load();
      // a role other than agent waits for a second admin (separated duties)
      say(status, 'ok', created.status === 'pending'
        ? `Account ${created.username}: a second admin must approve the role ${created.role}.`
        : `Account ${created.username} created with role ${created.role}.`);
    } catch (e) {
      password.value = '';
      say(status, 'error', `Not created: ${e.message}`);
    }
  });

  async function change(account, patch, done) {
    try {
      const updated = await api.patch(`/accounts/${account.id}`, patch);
      await load();
      say(status, 'ok', updated.status === 'pending'
        ? `${account.username}: a second admin must approve this change.`
        : `${updated.username}: ${done}. Their sessions were ended.`);
    } catch (e) {
      say(status, 'error', `${account.username}: ${e.message}`);
    }
  }

  function roleCell(a) {
    const choice = select('role', ROLES, a.role);
    choice.setAttribute('aria-label', `Role of ${a.username}`);
    const save = actionButton('Change', () => change(a, {role: choice.value}, `role is now ${choice.value}`),
        {class: 'button-small', 'aria-label': `Change the role of ${a.username}`});
    return h('div', {class: 'actions'}, choice, save);
  }

  function enableCell(a) {
    if (a.disabled) {
      return actionButton('Enable', () => change(a, {disabled: false}, 'enabled'),
          {class: 'button-small', 'aria-label': `Enable ${a.username}`});
    }
    return confirmButton('Disable', 'Press again to disable', () => change(a, {disabled: true}, 'disabled'),
        {class: 'button-small button-danger', 'aria-label': `Disable ${a.username}`});
  }

  function passwordCell(a) {
    const input = h('input', {type: 'password', name: 'password', required: true, minLength: 12,
      autocomplete: 'new-password', 'aria-label': `New password for ${a.username}`});
    const f = h('form', {class: 'actions', method: 'post'}, input,
        h('button', {type: 'submit', class: 'button-small'}, 'Set'));
    onSubmit(f, async (data) => {
      input.value = '';
      await change(a, {password: data.password}, 'new password set');
    });
    return f;
  }

  function secondFactorCell(a) {
    const badge = a.second_factor ? h('span', {class: 'badge badge-ok'}, 'enrolled')
      : h('span', {class: 'badge badge-muted'}, 'none');
    if (!a.second_factor) {
      return badge;
    }
    // lost phone and recovery codes: the admin removes the factor (reason audited); the next sign-in enrols anew
    const reason = h('input', {type: 'text', name: 'reason', required: true, maxLength: 500, autocomplete: 'off',
      'aria-label': `Reason to reset the second factor of ${a.username}`, placeholder: 'Reason'});
    const f = h('form', {class: 'actions', method: 'post'}, badge, reason,
        h('button', {type: 'submit', class: 'button-small button-danger',
          'aria-label': `Reset the second factor of ${a.username}`}, 'Reset'));
    onSubmit(f, async (data) => {
      try {
        const done = await api.post(`/accounts/${a.id}/mfa-reset`, {reason: data.reason.trim()});
        await load();
        say(status, 'ok', done.second_factor_removed
          ? `${a.username}: second factor removed and sessions ended. Their next sign-in enrols a new one.`
          : `${a.username} had no second factor; their sessions were ended.`);
      } catch (e) {
        say(status, 'error', `${a.username}: ${e.message}`);
      }
    });
    return f;
  }

  async function load() {
    try {
      const page = await api.get('/accounts', {limit: 200});
      replace(list, table('Operator accounts', [
        {title: 'User name', cell: (a) => a.username},
        {title: 'Role', cell: roleCell},
        {title: 'Status', cell: (a) => (a.disabled ? h('span', {class: 'badge badge-muted'}, 'disabled')
          : h('span', {class: 'badge badge-ok'}, 'active'))},
        {title: '', cell: enableCell},
        {title: 'Second factor', cell: secondFactorCell},
        {title: 'New password', cell: passwordCell},
        {title: 'Created', cell: (a) => [time(a.created_at), a.created_by ? ` by ${a.created_by}` : '']},
      ], page.items));
    } catch (e) {
      replace(list, message('error', `The accounts cannot be loaded: ${e.message}`));
    }
  }

  replace(body, form, status, h('h2', {}, 'Accounts'), list);
  load();
}

function tokens(body) {
  const status = messageRegion();
  const secret = h('div', {'aria-live': 'polite'});
  const list = h('div', {});
  const name = h('input', {name: 'name', type: 'text', required: true, maxLength: 100, autocomplete: 'off',
    pattern: '[ -~]+'});
  const role = select('role', ROLES.filter(([r]) => r !== 'admin'), 'agent');
  const days = h('input', {name: 'expires_in_days', type: 'number', min: 1, max: 3650, value: 365});
  const form = h('form', {class: 'form-grid', method: 'post', 'aria-label': 'Create an API token'},
      h('h2', {class: 'wide'}, 'Create an API token'),
      field('Name', name, 'The integration, e.g. payment-ivr (printable ASCII)'),
      field('Role', role, 'Tokens cannot be admin'),
      field('Expires after (days)', days, 'Empty: 90 days; at most 365'),
      h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'button-primary'}, 'Create token')));
  onSubmit(form, async (data) => {
    try {
      const issued = await api.post('/tokens', {name: data.name.trim(), role: data.role,
        expires_in_days: data.expires_in_days ? Number(data.expires_in_days) : undefined});
      form.reset();
      if (issued.status === 'pending') {
        say(status, 'ok', `Token ${data.name.trim()}: a second admin must approve the role ${data.role}.`);
      } else {
        showSecret(issued);
      }
      await load();
    } catch (e) {
      say(status, 'error', `No token created: ${e.message}`);
    }
  });

  function showSecret(issued) {
    const value = h('input', {type: 'text', readOnly: true, class: 'secret', value: issued.token, id: 'new-token-secret',
      autocomplete: 'off', spellcheck: false});
    const copy = h('button', {type: 'button', on: {click: async () => {
      value.select();
      try {
        await navigator.clipboard.writeText(value.value);
        copy.textContent = 'Copied';
      } catch (e) {
        copy.textContent = 'Selected: press Ctrl+C';
      }
    }}}, 'Copy');
    const doneButton = h('button', {type: 'button', class: 'button-primary', on: {click: () => {
      replace(secret);
      name.focus();
    }}}, 'I have stored it');
    replace(secret, h('section', {class: 'card', 'aria-labelledby': 'secret-heading'},
        h('h2', {id: 'secret-heading', tabindex: -1}, `Token for ${issued.name}`),
        message('warn', 'Copy it now into the integration\'s secret store: it is shown only this once '
            + '(the server keeps only its hash).'),
        h('label', {for: 'new-token-secret'}, 'Token'), value,
        h('div', {class: 'actions'}, copy, doneButton)));
    secret.querySelector('h2').focus();
  }

  function revoke(t) {
    return confirmButton('Revoke', 'Press again to revoke', async () => {
      try {
        await api.del(`/tokens/${t.id}`);
        await load();
        say(status, 'ok', `Token ${t.name} revoked: it no longer works.`);
      } catch (e) {
        say(status, 'error', `${t.name}: ${e.message}`);
      }
    }, {class: 'button-small button-danger', 'aria-label': `Revoke the token ${t.name}`});
  }

  async function load() {
    try {
      const page = await api.get('/tokens', {limit: 200});
      replace(list, table('API tokens', [
        {title: 'Name', cell: (t) => t.name},
        {title: 'Role', cell: (t) => t.role},
        {title: 'Created', cell: (t) => [time(t.created_at), ` by ${t.created_by}`]},
        {title: 'Expires', cell: (t) => (t.expires_at ? time(t.expires_at) : 'never')},
        {title: 'Last used', cell: (t) => time(t.last_used_at)},
        {title: 'Status', cell: (t) => (t.revoked_at ? [h('span', {class: 'badge badge-muted'}, 'revoked'), ' ', time(t.revoked_at)]
          : h('span', {class: 'badge badge-ok'}, 'active'))},
        {title: '', cell: (t) => (t.revoked_at ? null : revoke(t))},
      ], page.items, {empty: 'No API token yet.'}));
    } catch (e) {
      replace(list, message('error', `The tokens cannot be loaded: ${e.message}`));
    }
  }

  replace(body, form, status, secret, h('h2', {}, 'Tokens'), list);
  load();
}
