// The screens and who may use them. A screen is offered when the role holds a permission it needs
// (GET /auth/me lists them); the API checks every request again, whatever the console shows.
// A screen that keeps state between visits has forget(), called when the session ends; inNav: false
// keeps a screen out of the navigation bar.
import * as session from './session.js';
import * as calls from './screens/calls.js';
import * as live from './screens/live.js';
import * as privacy from './screens/privacy.js';
import * as audit from './screens/audit.js';
import * as retention from './screens/retention.js';
import * as admin from './screens/admin.js';
import * as account from './screens/account.js';

const any = (...permissions) => () => permissions.some((p) => session.can(p));

export const SCREENS = [
  {path: 'calls', title: 'Calls', allowed: any('search'), render: calls.render, forget: calls.forget},
  {path: 'live', title: 'Live calls', allowed: any('control_live_calls'), render: live.render},
  {path: 'privacy', title: 'Privacy', allowed: any('handle_subject_requests', 'manage_legal_holds', 'restrict_processing',
      'withdraw_consent'),
    render: privacy.render},
  {path: 'audit', title: 'Audit', allowed: any('read_audit'), render: audit.render},
  {path: 'retention', title: 'Retention and statistics', allowed: any('read_privacy_reports', 'read_statistics'),
    render: retention.render},
  {path: 'admin', title: 'Admin', allowed: any('manage_accounts', 'manage_tokens'), render: admin.render},
  // every operator's own second factor: reached from the header, not the navigation
  {path: 'account', title: 'Second factor', allowed: () => Boolean(session.get()), render: account.render, inNav: false},
];
