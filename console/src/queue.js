// The agent's queue: a department's tickets most urgent first (the server sorts and pages),
// filters and search, live SLA countdowns, and changes arriving from the live feed.
import { get, query, session } from './api.js';
import { debounce, h, replace, turns, until } from './dom.js';
import { t } from './i18n.js';

const state = {
  department: '',
  filters: { status: 'open', topic: '', priority: '', channel: '', q: '', mine: false },
  cursors: [''],
  page: null,
  selected: 0,
  topics: null,
};

export function queueState() {
  return state;
}

function select(name, options, value, onchange) {
  return h('select', { name, 'aria-label': t(name), onchange: (e) => onchange(e.target.value) },
    options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)));
}

export async function renderQueue(root, go) {
  if (!state.department) state.department = session.me.departments[0] || '';
  if (!state.topics) state.topics = await get('/v1/topics').then((x) => x.items).catch(() => []);
  const table = h('tbody');
  const summary = h('span', { class: 'muted', 'data-testid': 'queue-total' });
  const pager = h('div', { class: 'pager' });
  const f = state.filters;
  const reload = () => {
    state.cursors = [''];
    load();
  };
  const search = h('input', {
    type: 'search', name: 'q', placeholder: t('search'), value: f.q, 'aria-label': t('search'),
    oninput: debounce((e) => { f.q = e.target.value.trim(); reload(); }, 250),
  });
  const any = ['', t('any')];
  const bar = h('div', { class: 'filters' },
    select('department', session.me.organization.departments.map((d) => [d.name, d.title || d.name]), state.department,
      (v) => { state.department = v; reload(); }),
    select('status', [any, ['open', 'open'], ['resolved', 'resolved'], ['closed', 'closed']], f.status, (v) => { f.status = v; reload(); }),
    select('topic', [any, ...state.topics.map((x) => [x.id, x.title || x.id])], f.topic, (v) => { f.topic = v; reload(); }),
    select('priority', [any, ...['urgent', 'high', 'normal', 'low'].map((p) => [p, p])], f.priority, (v) => { f.priority = v; reload(); }),
    select('channel', [any, ...['web', 'app', 'phone', 'email', 'chat', 'social'].map((c) => [c, c])], f.channel, (v) => { f.channel = v; reload(); }),
    h('label', {}, h('input', { type: 'checkbox', name: 'mine', checked: f.mine, onchange: (e) => { f.mine = e.target.checked; reload(); } }), ' ', t('mine')),
    search, summary);

  const loadTurn = turns();
  async function load() {
    const newest = loadTurn();
    const cursor = state.cursors[state.cursors.length - 1];
    const params = {
      department: state.department, status: f.status, topic: f.topic, priority: f.priority,
      channel: f.channel, q: f.q, assignee: f.mine ? 'me' : '', limit: 50, cursor,
    };
    try {
      const page = await get(`/v1/tickets${query(params)}`);
      if (!newest()) return;
      state.page = page;
    } catch (e) {
      if (!newest()) return;
      replace(table, h('tr', {}, h('td', { colspan: 8, class: 'error', role: 'alert' }, e.message)));
      return;
    }
    draw();
  }

  function draw() {
    const items = state.page.items;
    state.selected = Math.min(state.selected, Math.max(0, items.length - 1));
    replace(summary, `${state.page.total ?? items.length} ${t('tickets')}`);
    replace(table, items.length ? items.map((x, i) => row(x, i)) : h('tr', {}, h('td', { colspan: 8, class: 'muted' }, t('none'))));
    replace(pager,
      state.cursors.length > 1 ? h('button', { onclick: () => { state.cursors = ['']; load(); } }, t('first_page')) : null,
      state.page.next_cursor ? h('button', { 'data-testid': 'next-page', onclick: () => { state.cursors.push(state.page.next_cursor); load(); } }, t('next_page')) : null);
  }

  function row(x, i) {
    const flag = x.breached ? h('span', { class: 'badge late' }, t('late')) : x.warned ? h('span', { class: 'badge warned' }, t('warned')) : null;
    return h('tr', {
      class: `${x.breached ? 'late' : x.warned ? 'warned' : ''} ${i === state.selected ? 'selected' : ''}`,
      'data-ticket': x.id, tabindex: 0,
      onclick: () => go(`#/ticket/${x.id}`),
    },
    h('td', {}, h('a', { href: `#/ticket/${x.id}` }, x.id)),
    h('td', { class: 'subject' }, x.subject),
    h('td', {}, x.customer),
    h('td', {}, x.category),
    h('td', {}, h('span', { class: `prio ${x.priority}` }, x.priority)),
    h('td', {}, `${x.status} · ${x.step}`),
    h('td', {}, x.assignee || (x.assigned_role ? `(${x.assigned_role})` : t('nobody'))),
    h('td', { class: 'countdown', 'data-deadline': x.next_deadline || '' }, until(x.next_deadline, session.now()), ' ', flag));
  }

  replace(root,
    bar,
    h('div', { class: 'table-wrap' }, h('table', { class: 'queue' },
      h('thead', {}, h('tr', {}, ['id', 'subject', 'customer', 'category', 'priority', 'status', 'assignee', 'deadline'].map((k) => h('th', {}, t(k))))),
      table)),
    pager,
    h('p', { class: 'muted small' }, t('shortcuts')));
  await load();

  return {
    // Something changed on the server: the page again (not at every event of a burst).
    changed: debounce(load, 300), // any event, or a reconnection
    tick() {
      for (const td of root.querySelectorAll('td.countdown')) {
        const badge = td.querySelector('.badge');
        td.firstChild.textContent = until(td.dataset.deadline, session.now());
        if (badge) td.append(badge);
      }
    },
    key(e) {
      const rows = root.querySelectorAll('tr[data-ticket]');
      if (e.key === '/') { e.preventDefault(); search.focus(); return true; }
      if (e.key === 'j' || e.key === 'ArrowDown') state.selected = Math.min(rows.length - 1, state.selected + 1);
      else if (e.key === 'k' || e.key === 'ArrowUp') state.selected = Math.max(0, state.selected - 1);
      else if (e.key === 'Enter' && rows[state.selected]) { go(`#/ticket/${rows[state.selected].dataset.ticket}`); return true; }
      else return false;
      rows.forEach((r, i) => r.classList.toggle('selected', i === state.selected));
      return true;
    },
  };
}
