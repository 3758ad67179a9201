// For process owners: the deployed flows, each drawn (Graphviz's SVG from the server) with its
// live count of tickets and breaches per step; an editor that shows the validator's diagnostics
// at their line and column as one types; a scenario run; deploying a new version.
import { EditorView, basicSetup } from 'codemirror';
import { yaml } from '@codemirror/lang-yaml';
import { linter, lintGutter, forceLinting } from '@codemirror/lint';
import { api, get, post, session } from './api.js';
import { h, replace, turns, when } from './dom.js';
import { t } from './i18n.js';

// The server's SVG, parsed as SVG (never as HTML), without scripts or handlers, with each
// step's counts written under its name.
function drawing(svgText, counts) {
  const doc = new DOMParser().parseFromString(svgText, 'image/svg+xml');
  const svg = doc.documentElement;
  if (svg.nodeName !== 'svg') return h('p', { class: 'error' }, 'cannot draw the flow');
  for (const bad of svg.querySelectorAll('script, foreignObject')) bad.remove();
  for (const el of svg.querySelectorAll('*'))
    for (const a of [...el.attributes]) if (a.name.startsWith('on') || a.value.trim().startsWith('javascript:')) el.removeAttribute(a.name);
  for (const node of svg.querySelectorAll('g.node')) {
    const name = node.querySelector('title')?.textContent;
    const c = counts.get(name);
    const label = node.querySelector('text');
    if (!c || !label) continue;
    const note = doc.createElementNS('http://www.w3.org/2000/svg', 'text');
    note.setAttribute('x', label.getAttribute('x'));
    note.setAttribute('y', String(Number(label.getAttribute('y')) + 14));
    note.setAttribute('text-anchor', 'middle');
    note.setAttribute('class', c.breached ? 'count late' : 'count');
    note.setAttribute('data-step', name);
    note.textContent = `${c.open} ${t('open_tickets')}${c.breached ? ` · ${c.breached} ${t('breached_n')}` : ''}`;
    label.after(note);
  }
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  return document.importNode(svg, true);
}

// A what-if's answer: the figures side by side, the tickets whose outcome changes, the actions
// the changed text refuses.
function whatIf(r) {
  const share = (x) => (x.met + x.missed ? `${x.met}/${x.met + x.missed}` : '—') + (x.pending ? ` +${x.pending}` : '');
  const rows = [
    [t('tickets'), r.recorded.tickets, r.replayed.tickets],
    ['closed', r.recorded.closed, r.replayed.closed],
    [t('first_response'), share(r.recorded.first_response), share(r.replayed.first_response)],
    [t('resolution'), share(r.recorded.resolution), share(r.replayed.resolution)],
  ];
  const keyed = (label, a, b) => {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) rows.push([`${label}: ${k}`, a[k] || 0, b[k] || 0]);
  };
  keyed('warnings', r.recorded.warnings_by_target, r.replayed.warnings_by_target);
  keyed('breaches', r.recorded.breaches_by_target, r.replayed.breaches_by_target);
  keyed('breaches in', r.recorded.breaches_by_department, r.replayed.breaches_by_department);
  keyed('escalations, level', r.recorded.escalations_by_level, r.replayed.escalations_by_level);
  rows.push(['needing approval', r.recorded.needing_approval.count, r.replayed.needing_approval.count]);
  const delta = (a, b) => (typeof a === 'number' && typeof b === 'number' && a !== b ? (b > a ? `+${b - a}` : `${b - a}`) : '');
  return [
    h('p', { class: 'notice' }, r.label),
    h('table', { class: 'kpis' },
      h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', {}, t('recorded')), h('th', {}, t('replayed')), h('th', {}, t('change')))),
      h('tbody', {}, rows.map(([label, a, b]) => h('tr', {}, h('td', {}, label), h('td', {}, String(a)), h('td', {}, String(b)), h('td', {}, delta(a, b)))))),
    h('h4', {}, t('changed_n', { n: r.changed.count, of: r.tickets })),
    h('ul', {}, r.changed.tickets.map((c) => h('li', {}, h('a', { href: `#/ticket/${encodeURIComponent(c.ticket)}` }, c.ticket), ' ',
      c.changes.map((x) => `${x.what}: ${x.recorded} → ${x.replayed}`).join('; ')))),
    h('h4', {}, t('impossible_n', { n: r.impossible.count })),
    h('ul', {}, r.impossible.items.map((x) => h('li', { class: 'late' }, `${x.ticket} ${when(x.at)} ${x.by} (${x.role}) ${x.action}: ${x.message}`))),
  ];
}

export async function renderFlows(root, id) {
  const list = (await get('/v1/flows')).flows;
  const newest = list.filter((f) => f.newest);
  if (!id) id = newest[0]?.id;
  const flow = newest.find((f) => f.id === id);
  const picture = h('div', { class: 'graph', 'data-testid': 'graph' });
  const status = h('div', { class: 'notice', role: 'status', 'data-testid': 'lint-status' });
  const result = h('div', { class: 'scenario-result', 'data-testid': 'scenario-result' });

  async function drawGraph() {
    const [svg, steps] = await Promise.all([
      api('GET', `/v1/flows/${encodeURIComponent(id)}/graph?format=svg`),
      get(`/v1/flows/${encodeURIComponent(id)}/steps`),
    ]);
    replace(picture, drawing(svg, new Map(steps.steps.map((s) => [s.step, s]))));
  }

  const source = await api('GET', `/v1/flows/${encodeURIComponent(id)}/source`);
  let lastCheck = null;
  const checkTurn = turns();
  const check = linter(async (view) => {
    const newest = checkTurn();
    const text = view.state.doc.toString();
    let r;
    try {
      r = await post(`/v1/flows:validate?file=${encodeURIComponent(id)}.yaml`, text, 'application/yaml');
    } catch (e) {
      if (newest()) replace(status, e.message);
      return [];
    }
    // An older text's answer that comes late says nothing of this one.
    if (!newest()) return [];
    lastCheck = r;
    const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
    replace(status, r.ok ? t('validate_ok') : `${errors} ${t('errors')}`);
    status.className = `notice ${r.ok ? 'ok' : 'error'}`;
    const doc = view.state.doc;
    return r.diagnostics.map((d) => {
      const line = doc.line(Math.min(Math.max(d.line, 1), doc.lines));
      const from = Math.min(line.from + Math.max(d.column - 1, 0), line.to);
      return { from, to: Math.max(from, line.to), severity: d.severity, message: `${d.line}:${d.column} ${d.message} [${d.code}]` };
    });
  }, { delay: 400 });
  const editorHost = h('div', { class: 'editor', 'data-testid': 'editor' });
  const editor = new EditorView({
    doc: source,
    extensions: [basicSetup, yaml(), lintGutter(), check,
      EditorView.cspNonce.of(document.querySelector('meta[name=style-nonce]')?.content || '')],
    parent: editorHost,
  });
  window.vocflowEditor = editor; // for the browser tests and the curious

  async function deploy() {
    try {
      const r = await post(`/v1/flows?file=${encodeURIComponent(id)}.yaml`, editor.state.doc.toString(), 'application/yaml');
      replace(status, t('deployed', { flow: r.flow }));
      status.className = 'notice ok';
      await drawGraph();
    } catch (e) {
      replace(status, `${t('refused')}: ${e.message}`);
      status.className = 'notice error';
      forceLinting(editor);
    }
  }

  const scenario = h('textarea', { name: 'scenario', rows: 8, class: 'mono', placeholder: `scenario: ...\nflow: ${id}\nstart: 2026-03-06 17:50\nticket: { customer: C-1, text: ... }\nactions: []` });
  async function run() {
    try {
      const r = await post('/v1/flows:simulate', { scenario: scenario.value, flow: editor.state.doc.toString() });
      replace(result,
        h('ol', { class: 'timeline' }, r.timeline.map((x) => h('li', { class: x.refused ? 'late' : '' },
          h('span', { class: 'when' }, x.local || when(x.at)), ' ',
          x.event ? x.text : `${x.refused.action} ✗ ${x.refused.message}`))),
        r.expectations.length ? h('ul', {}, r.expectations.map((c) => h('li', { class: c.ok ? 'ok' : 'late' }, `${c.ok ? '✓' : '✗'} ${c.what}${c.ok ? '' : ` (${c.detail})`}`))) : null);
    } catch (e) {
      replace(result, h('p', { class: 'error' }, e.message, (e.body.diagnostics || []).map((d) => h('div', {}, d.text))));
    }
  }

  const days = h('input', { type: 'number', name: 'days', min: 1, max: 365, value: '30' });
  const replayed = h('div', { 'data-testid': 'what-if' });
  async function replay() {
    const to = new Date(session.now() + 1).toISOString();
    const from = new Date(session.now() - Number(days.value || 30) * 86400000).toISOString();
    replace(replayed, '…');
    try {
      const r = await post(`/v1/replays?flow_id=${encodeURIComponent(id)}&from=${from}&to=${to}&limit=20`,
        { flow: editor.state.doc.toString() });
      replace(replayed, whatIf(r));
    } catch (e) {
      replace(replayed, h('p', { class: 'error' }, e.message, (e.body.diagnostics || []).map((d) => h('div', {}, d.text))));
    }
  }

  replace(root,
    h('nav', { class: 'flow-list' }, newest.map((f) => h('a', { href: `#/flows/${f.id}`, class: f.id === id ? 'current' : '' }, `${f.title || f.id} (v${f.version})`))),
    h('h2', {}, flow ? `${flow.title || flow.id} · ${flow.id}@${flow.version}` : id),
    picture,
    h('h3', {}, t('editor')),
    editorHost,
    status,
    h('div', { class: 'buttons' },
      session.can('owner') ? h('button', { class: 'primary', 'data-testid': 'deploy', onclick: deploy }, t('deploy')) : null),
    h('h3', {}, t('scenario')),
    scenario,
    h('div', { class: 'buttons' }, h('button', { onclick: run }, t('run'))),
    result,
    session.can('owner', 'ops') ? [
      h('h3', {}, t('what_if')),
      h('div', { class: 'buttons' }, days, ' ', t('days'), ' ',
        h('button', { 'data-testid': 'replay', onclick: replay }, t('replay'))),
      replayed] : null);
  await drawGraph();
  return { changed: () => {}, tick() {}, key: () => false, check: () => lastCheck };
}
