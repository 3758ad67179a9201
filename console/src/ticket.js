// One ticket: the customer's words, where it stands, its whole history, and the actions it
// takes now, each with the form it needs. A refused action shows the server's reason.
import { get, post, session } from './api.js';
import { h, replace, turns, until, when } from './dom.js';
import { actionName, t } from './i18n.js';

// What each built-in action asks for; any other name is a transition of the flow (a note).
const forms = {
  respond: ['text'], ask_customer: ['text'], note: ['text!'], hand_off: ['to!', 'text!'],
  grant_compensation: ['amount!', 'text', 'limit'], request_compensation: ['amount!', 'text!', 'limit'],
  approve_compensation: ['request', 'text'], reject_compensation: ['request', 'text'],
  complete_task: ['task', 'text'], wait_supplier: ['text'], supplier_reply: ['text'],
  customer_reply: ['text'], feedback: ['csat', 'text'], assign: [], reclassify: [],
};
const keys = { r: 'respond', h: 'hand_off', g: 'grant_compensation', c: 'assign' };
const onBehalf = new Set(['confirm']);
// Taken by timers and connectors, never from a button.
const systemOnly = new Set(['open', 'record', 'timer', 'repeat_contact', 'link_problem', 'link_complaint', 'problem_resolved', 'flag_spike']);

function eventLine(e) {
  const bits = [];
  for (const k of ['step', 'name', 'to', 'from', 'amount', 'assignee', 'task', 'reason', 'topic', 'problem', 'ticket', 'channel', 'level']) {
    if (e[k] !== undefined && e[k] !== '' && e[k] !== null && !(k === 'ticket' && e.type === 'opened')) bits.push(`${k}: ${e[k]}`);
  }
  return bits.join(' · ');
}

export async function renderTicket(root, id, go) {
  let data;
  const notice = h('div', { class: 'notice', role: 'alert', 'data-testid': 'refusal' });
  const formSlot = h('div', { class: 'action-form' });
  const loadTurn = turns();
  async function load() {
    const newest = loadTurn();
    const fresh = await get(`/v1/tickets/${encodeURIComponent(id)}`);
    if (!newest()) return;
    data = fresh;
    draw();
  }

  function field(kind) {
    const you = data.you || {};
    const comp = you.compensation;
    switch (kind.replace('!', '')) {
      case 'text':
        return h('label', {}, t('text'), h('textarea', { name: 'text', rows: 3, required: kind.endsWith('!') }));
      case 'to':
        return h('label', {}, t('to'), h('select', { name: 'to', required: true },
          (you.hand_off_to || []).map((d) => h('option', { value: d }, d))));
      case 'amount':
        return h('label', {}, `${t('amount')}${comp ? ` (${comp.currency})` : ''}`,
          h('input', { name: 'amount', type: 'number', step: '0.01', min: '0.01', required: true }));
      case 'limit':
        if (!comp) return h('p', { class: 'muted' }, t('no_limit'));
        return h('p', { class: 'limit', 'data-testid': 'limit' },
          comp.unlimited ? t('unlimited') : comp.limit == null ? t('no_limit')
            : `${t('limit')}: ${comp.limit} ${comp.currency} · ${t('granted')}: ${comp.granted} ${comp.currency}. ${t('approval_above', {
              approver: [...comp.approvers.map((a) => `${a.role} ≤ ${a.limit}`), comp.approver].filter(Boolean).join(', '),
            })}`);
      case 'request':
        return h('label', {}, 'request', h('select', { name: 'request' },
          ((data.compensation || {}).pending || []).map((r) => h('option', { value: r.id }, `${r.id}: ${r.amount} (${r.requested_by})`))));
      case 'task':
        return h('label', {}, t('tasks'), h('select', { name: 'task' },
          (data.tasks || []).map((k) => h('option', { value: k.name }, `${k.name} (${k.owner})`))));
      case 'csat':
        return h('label', {}, 'CSAT 1-5', h('input', { name: 'csat', type: 'number', min: 1, max: 5 }));
      default:
        return null;
    }
  }

  async function submit(action, form) {
    const body = { action };
    if (form) {
      for (const el of form.elements) {
        if (!el.name || el.value === '') continue;
        body[el.name] = el.name === 'csat' ? Number(el.value) : el.value;
      }
    }
    if (onBehalf.has(action)) body.on_behalf_of = 'customer';
    replace(notice);
    try {
      await post(`/v1/tickets/${encodeURIComponent(id)}/actions`, body);
      replace(formSlot);
      await load();
    } catch (e) {
      replace(notice, h('strong', {}, `${t('refused')}: `), e.message);
      notice.className = 'notice error';
    }
  }

  function open(action) {
    const fields = forms[action] || ['text'];
    if (!fields.length) return submit(action);
    const form = h('form', { 'data-action': action, onsubmit: (e) => { e.preventDefault(); submit(action, form); } },
      h('h3', {}, actionName(action)),
      fields.map(field),
      h('div', { class: 'buttons' },
        h('button', { type: 'submit', class: 'primary' }, t('send')),
        h('button', { type: 'button', onclick: () => replace(formSlot) }, t('cancel'))));
    replace(formSlot, form);
    const first = form.querySelector('textarea, input, select');
    if (first) first.focus();
  }

  function draw() {
    const d = data;
    const f = d.fields || {};
    const now = session.now();
    replace(root,
      h('p', {}, h('a', { href: '#/queue' }, t('back'))),
      h('header', { class: 'ticket-head' },
        h('h2', {}, d.id, ' ', h('span', { class: `prio ${d.priority}` }, d.priority), ' ',
          d.breached ? h('span', { class: 'badge late' }, t('late')) : d.warned ? h('span', { class: 'badge warned' }, t('warned')) : null),
        h('p', {}, `${d.flow}@${d.version} · ${d.status} · ${t('step')}: ${d.step} · ${t('owner')}: ${d.owner} · ${t('assignee')}: `,
          d.assignee || (d.assigned_role ? `(${d.assigned_role})` : t('nobody')))),
      h('div', { class: 'ticket-grid' },
        h('section', {},
          h('h3', {}, t('complaint')),
          h('blockquote', { class: 'customer-text', 'data-testid': 'complaint' }, f.text || ''),
          h('p', { class: 'muted' }, `${t('customer')}: `, h('a', { href: `#/customer/${encodeURIComponent(d.customer)}` }, d.customer),
            ` · ${d.channel || ''} · ${d.category || ''} · ${d.product || ''}`),
          h('h3', {}, t('actions')),
          h('div', { class: 'actions' }, (d.allowed_actions || []).filter((a) => !systemOnly.has(a)).map((a) =>
            h('button', { 'data-act': a, onclick: () => open(a) }, actionName(a)))),
          notice,
          formSlot,
          h('h3', {}, t('history')),
          h('ol', { class: 'timeline', 'data-testid': 'timeline' }, (d.history || []).map((e) =>
            h('li', { 'data-type': e.type },
              h('span', { class: 'when' }, when(e.at)), ' ',
              h('strong', {}, e.actor || 'system'), e.role ? h('span', { class: 'muted' }, ` (${e.role})`) : null, ' ',
              h('span', { class: 'etype' }, e.type), ' ',
              h('span', { class: 'muted' }, eventLine(e)),
              e.text ? h('div', { class: 'said' }, e.text) : null)))),
        h('aside', {},
          h('h3', {}, t('deadlines')),
          h('ul', { class: 'deadlines' }, (d.deadlines || []).map((x) =>
            h('li', { class: x.breached ? 'late' : x.warned ? 'warned' : '' },
              `${x.name || x.target}: ${when(x.deadline)} (${until(x.deadline, now)})`, x.paused ? ' ⏸' : ''))),
          h('h3', {}, t('linked')),
          h('ul', {},
            d.problem ? h('li', {}, `${t('problem')}: `, h('a', { href: `#/ticket/${d.problem}` }, d.problem)) : null,
            h('li', {}, `${t('contacts')}: ${d.contacts}`),
            (d.linked || []).map((x) => h('li', {}, h('a', { href: `#/ticket/${x}` }, x)))),
          d.tasks && d.tasks.length ? [h('h3', {}, t('tasks')), h('ul', {}, d.tasks.map((k) => h('li', {}, `${k.name} · ${k.owner}${k.done ? ' ✓' : ''}`)))] : null)));
  }

  await load();
  return {
    changed(ev) {
      if (!ev || (ev.ticket && ev.ticket.id === id)) load();
    },
    tick() {},
    key(e) {
      if (e.key === 'Escape') { go('#/queue'); return true; }
      const a = keys[e.key];
      if (a && (data.allowed_actions || []).includes(a)) { e.preventDefault(); open(a); return true; }
      return false;
    },
  };
}

export async function renderCustomer(root, id) {
  const v = await get(`/v1/customers/${encodeURIComponent(id)}`);
  replace(root,
    h('p', {}, h('a', { href: '#/queue' }, t('back'))),
    h('h2', {}, `${t('customer')} ${v.customer}`),
    h('h3', {}, t('other_tickets')),
    h('ul', {}, v.tickets.map((x) => h('li', {}, h('a', { href: `#/ticket/${x.id}` }, x.id), ` ${x.status} · ${x.subject}`))),
    h('h3', {}, t('contacts')),
    h('ol', { class: 'timeline' }, v.contacts.map((c) => h('li', {}, h('span', { class: 'when' }, when(c.at)), ` ${c.channel} · ${c.kind} · `, h('a', { href: `#/ticket/${c.ticket}` }, c.ticket), h('div', { class: 'said' }, c.text)))));
  return { changed() {}, tick() {}, key: () => false };
}
