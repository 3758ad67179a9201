// The console: sign-in, the header, hash routes (#/queue, #/ticket/ID, #/customer/ID,
// #/flows/ID, #/ops), the live feed and the clock that drives the countdowns.
import { get, live, session } from './api.js';
import { h, replace, when } from './dom.js';
import { language, switchLanguage, t } from './i18n.js';
import { renderQueue } from './queue.js';
import { renderCustomer, renderTicket } from './ticket.js';
import { renderFlows } from './flows.js';
import { renderOps } from './ops.js';
import './app.css';

const app = document.getElementById('app');
let view = null;
let stopLive = null;
let connected = false;
// Events that come while a view is being drawn are not lost: the view catches up once drawn.
let rendering = false;
let missed = false;

function showLive() {
  const dot = document.querySelector('[data-testid=live]');
  if (!dot) return;
  dot.className = connected ? 'live on' : 'live';
  dot.title = connected ? 'live' : 'reconnecting';
}

function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

async function syncClock() {
  const c = await get('/v1/clock');
  session.offset = Date.parse(c.now) - Date.now();
}

function signIn(message) {
  session.set('');
  if (stopLive) stopLive();
  const input = h('input', { type: 'password', name: 'token', autocomplete: 'off', required: true, 'aria-label': t('token') });
  const error = h('p', { class: 'error', role: 'alert' }, message || '');
  replace(app, h('main', { class: 'signin' },
    h('h1', {}, 'vocflow'),
    h('form', { onsubmit: async (e) => {
      e.preventDefault();
      session.set(input.value.trim());
      try {
        await start();
      } catch (err) {
        signIn(err.message);
      }
    } },
    h('label', {}, t('token'), input),
    h('p', { class: 'muted small' }, t('token_hint')),
    h('button', { class: 'primary', type: 'submit' }, t('signin')),
    error),
    h('button', { class: 'link', onclick: () => { switchLanguage(); signIn(); } }, t('language'))));
  input.focus();
}

async function start() {
  session.me = await get('/v1/me');
  await syncClock();
  if (stopLive) stopLive();
  stopLive = live('*', (ev) => {
    if (rendering) missed = true;
    else if (view && view.changed) view.changed(ev);
  }, (on) => {
    connected = on;
    showLive();
    if (on && view && view.changed) view.changed(null); // catch up on what came meanwhile
  });
  if (!location.hash || location.hash === '#') location.hash = session.can('owner') && !session.can('agent', 'supervisor') ? '#/flows' : '#/queue';
  await route();
}

function header() {
  const me = session.me;
  const here = location.hash.split('/')[1] || 'queue';
  const link = (name, label) => h('a', { href: `#/${name}`, class: here === name || (name === 'queue' && here === 'ticket') ? 'current' : '' }, label);
  return h('header', { class: 'top' },
    h('strong', { class: 'brand' }, 'vocflow'),
    h('nav', {}, link('queue', t('queue')), link('flows', t('flows')), link('ops', t('ops'))),
    h('span', { class: 'grow' }),
    h('span', { class: connected ? 'live on' : 'live', 'data-testid': 'live', title: connected ? 'live' : 'reconnecting' }, '●'),
    h('span', { class: 'muted small', 'data-testid': 'clock' }, `${t('now')}: ${when(new Date(session.now()).toISOString())}`),
    h('span', { class: 'who', 'data-testid': 'who' }, `${me.name} · ${me.role}${me.acts_as !== me.role ? ` (${me.acts_as})` : ''}`),
    h('button', { class: 'link', onclick: () => { switchLanguage(); route(); } }, t('language')),
    h('button', { class: 'link', onclick: () => signIn() }, t('signout')));
}

async function route() {
  if (!session.me) return;
  const [, name, ...rest] = location.hash.split('/');
  const arg = decodeURIComponent(rest.join('/'));
  const body = h('main', { class: `view view-${name || 'queue'}` });
  document.documentElement.lang = language() === 'zh' ? 'zh-CN' : 'en';
  replace(app, header(), body);
  rendering = true;
  missed = false;
  view = null;
  try {
    if (name === 'ticket') view = await renderTicket(body, arg, go);
    else if (name === 'customer') view = await renderCustomer(body, arg);
    else if (name === 'flows') view = await renderFlows(body, arg);
    else if (name === 'ops') view = await renderOps(body);
    else view = await renderQueue(body, go);
    rendering = false;
    body.dataset.ready = 'true';
    if (missed && view.changed) view.changed(null);
  } catch (e) {
    rendering = false;
    if (e.status === 401) return signIn(e.message);
    replace(body, h('p', { class: 'error', role: 'alert' }, e.message));
    view = null;
  }
}

window.addEventListener('hashchange', route);
document.addEventListener('keydown', (e) => {
  const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName) || e.target.isContentEditable;
  if (typing || e.ctrlKey || e.metaKey || e.altKey || !view || !view.key) return;
  if (view.key(e)) e.preventDefault();
});
setInterval(() => {
  if (view && view.tick) view.tick();
  const c = document.querySelector('[data-testid=clock]');
  if (c) c.textContent = `${t('now')}: ${when(new Date(session.now()).toISOString())}`;
}, 1000);
setInterval(() => { if (session.me) syncClock().catch(() => {}); }, 15000);

if (session.token) start().catch((e) => signIn(e.message));
else signIn();
