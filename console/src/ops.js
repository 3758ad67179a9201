// For ops and every department: live warnings, breaches and escalations; KPIs by department,
// flow, agent, product, topic or day for a period; a topic's complaints per day with its spikes
// and the markers ("app 5.2 released"); open problems with their complaints and each
// department's task; the KPI audit's findings; the weekly digest.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api, get, query, session } from './api.js';
import { debounce, h, replace, turns, when } from './dom.js';
import { t } from './i18n.js';

const alertTypes = new Set(['sla_warned', 'sla_breached', 'escalated', 'spike_flagged']);

function alertRow(a) {
  const tk = a.ticket && typeof a.ticket === 'object' ? a.ticket : null;
  const id = tk ? tk.id : a.ticket;
  return h('li', { class: a.type === 'sla_breached' ? 'late' : a.type === 'sla_warned' ? 'warned' : '', 'data-type': a.type },
    h('span', { class: 'when' }, when(a.at)), ' ', h('strong', {}, a.type), ' ',
    id ? h('a', { href: `#/ticket/${id}` }, id) : null, ' ',
    h('span', { class: 'muted' }, [a.name, a.step || (tk && tk.step), a.department || (tk && tk.owner), a.assignee || (tk && tk.assignee), a.category || (tk && tk.category), a.topic].filter(Boolean).join(' · ')));
}

function pct(share) {
  return share && share.rate != null ? `${Math.round(share.rate * 1000) / 10}%` : '—';
}

function dayInput(name, date) {
  return h('input', { type: 'date', name, value: date.toISOString().slice(0, 10) });
}

// The topic's daily counts as a chart: spikes in red, markers as dashed lines.
function chart(host, series) {
  const xs = series.points.map((p) => Date.parse(p.bucket_start) / 1000);
  const ys = series.points.map((p) => p.customers);
  const spikeAt = new Set(series.spikes.map((s) => Date.parse(s.bucket_start) / 1000));
  const spikes = xs.map((x, i) => (spikeAt.has(x) ? ys[i] : null));
  const markers = series.markers.map((m) => ({ x: Date.parse(m.at) / 1000, text: m.text }));
  const width = Math.max(320, Math.min(host.clientWidth || 900, 1100));
  const plot = new uPlot({
    width, height: 260,
    series: [{}, { label: t('series'), stroke: '#2563eb', width: 2 },
      { label: t('spikes'), stroke: '#dc2626', points: { show: true, size: 10, fill: '#dc2626' }, paths: () => null }],
    axes: [{}, { label: '' }],
    hooks: {
      draw: [(u) => {
        const ctx = u.ctx;
        ctx.save();
        ctx.setLineDash([6, 4]);
        ctx.strokeStyle = '#7c3aed';
        ctx.fillStyle = '#7c3aed';
        ctx.font = `${12 * devicePixelRatio}px sans-serif`;
        for (const m of markers) {
          const x = u.valToPos(m.x, 'x', true);
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
          ctx.fillText(m.text, x + 4, u.bbox.top + 14 * devicePixelRatio);
        }
        ctx.restore();
      }],
    },
  }, [xs, ys, spikes], host);
  return plot;
}

export async function renderOps(root) {
  const alerts = h('ol', { class: 'alerts', 'data-testid': 'alerts' });
  const kpiBox = h('div', { class: 'table-wrap', 'data-testid': 'kpis' });
  const chartBox = h('div', { class: 'chart', 'data-testid': 'topic-chart' });
  const spikeList = h('ul', { 'data-testid': 'spikes' });
  const problems = h('div', { 'data-testid': 'problems' });
  const digest = h('pre', { class: 'digest', 'data-testid': 'digest' });
  const now = new Date(session.now());
  const from = dayInput('from', new Date(now - 30 * 86400000));
  const to = dayInput('to', new Date(now.getTime() + 86400000));
  const groupBy = h('select', { name: 'group_by' }, ['department', 'flow', 'agent', 'product', 'topic', 'category', 'day'].map((g) => h('option', { value: g }, g)));
  const topics = (await get('/v1/topics').catch(() => ({ items: [] }))).items;
  const spikesNow = (await get('/v1/spikes').catch(() => ({ items: [] }))).items;
  const topicSelect = h('select', { name: 'chart-topic' }, topics.map((x) => h('option', { value: x.id }, x.title ? `${x.id} · ${x.title}` : x.id)));
  if (spikesNow.length) topicSelect.value = spikesNow[spikesNow.length - 1].topic;
  const week = h('input', { name: 'week', placeholder: '2026-W48', size: 9 });

  const alertsTurn = turns(), chartTurn = turns(), problemsTurn = turns();
  async function loadAlerts() {
    const newest = alertsTurn();
    const since = new Date(session.now() - 7 * 86400000).toISOString();
    const [r, k] = await Promise.all([get(`/v1/breaches${query({ since, limit: 1000 })}`), get(`/v1/spikes${query({ from: since })}`)]);
    if (!newest()) return;
    // The alert log and the spikes, newest first.
    const spikes = k.items.map((x) => ({ type: 'spike_flagged', at: x.at, ticket: x.problem, topic: x.topic, name: x.why }));
    const rows = [...r.items.slice(-100), ...spikes].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
    replace(alerts, rows.slice(0, 100).map(alertRow));
  }
  async function loadKpis() {
    const r = await get(`/v1/kpis${query({ from: `${from.value}T00:00:00Z`, to: `${to.value}T00:00:00Z`, group_by: groupBy.value })}`);
    const rows = [{ group: 'all', ...r.total }, ...(r.groups || [])];
    replace(kpiBox, h('table', {},
      h('thead', {}, h('tr', {}, [t('group'), t('tickets'), t('first_response'), t('resolution'), t('fcr'), t('reopen'), t('warnings'), t('breaches'), t('escalations'), t('sentiment')].map((x) => h('th', {}, x)))),
      h('tbody', {}, rows.map((g) => h('tr', {},
        h('td', {}, g.group), h('td', {}, g.tickets), h('td', {}, pct(g.first_response)), h('td', {}, pct(g.resolution)),
        h('td', {}, pct(g.first_contact_resolution)), h('td', {}, pct(g.reopen)),
        h('td', {}, g.in_period.warnings), h('td', {}, g.in_period.breaches), h('td', {}, g.in_period.escalations),
        h('td', {}, g.post_interaction_sentiment.mean == null ? '—' : g.post_interaction_sentiment.mean.toFixed(2)))))));
  }
  // Tickets whose figures deserve a second look (for supervisors, owners and ops), in the KPIs'
  // period.
  const auditBox = h('div', { 'data-testid': 'audit' });
  const auditing = session.can('supervisor', 'owner', 'ops');
  async function loadAudit() {
    if (!auditing) return;
    const r = await get(`/v1/audit${query({ from: `${from.value}T00:00:00Z`, to: `${to.value}T00:00:00Z`, limit: 50 })}`);
    replace(auditBox,
      h('ul', { class: 'counts' }, Object.entries(r.counts).map(([kind, n]) => h('li', { 'data-kind': kind }, `${kind}: ${n}`))),
      h('ol', {}, r.findings.map((f) => h('li', { 'data-kind': f.kind },
        h('span', { class: 'when' }, when(f.at)), ' ', h('strong', {}, f.kind), ' ',
        h('a', { href: `#/ticket/${encodeURIComponent(f.ticket)}` }, f.ticket), ' ', f.summary))));
  }
  async function loadChart() {
    if (!topicSelect.value) return;
    const newest = chartTurn();
    const s = await get(`/v1/topics/${encodeURIComponent(topicSelect.value)}/series${query({ bucket: 'day' })}`);
    if (!newest()) return;
    replace(chartBox);
    chart(chartBox, s);
    replace(spikeList, s.spikes.map((k) => h('li', { class: 'late' }, `${when(k.bucket_start)} · ${k.customers} · ${k.why}`, k.problem ? [' → ', h('a', { href: `#/ticket/${k.problem}` }, k.problem)] : null)),
      s.markers.map((m) => h('li', { class: 'marker' }, `${when(m.at)} · ${m.text}`)));
  }
  async function loadProblems() {
    const newest = problemsTurn();
    const r = await get('/v1/problems?status=open');
    const items = await Promise.all(r.items.map(async (p) => ({ p, tk: await get(`/v1/tickets/${p.ticket}`).catch(() => null) })));
    if (!newest()) return;
    replace(problems, items.length ? items.map(({ p, tk }) => h('div', { class: 'problem' },
      h('h4', {}, h('a', { href: `#/ticket/${p.ticket}` }, p.ticket), ` · ${p.topic} · ${p.owner || ''}`),
      h('p', {}, `${t('linked')}: ${p.linked.length}`, ' ', p.linked.slice(0, 20).map((x) => [h('a', { href: `#/ticket/${x}` }, x), ' '])),
      tk && tk.tasks ? h('ul', {}, tk.tasks.map((k) => h('li', {}, `${k.owner}: ${k.title || k.name}`))) : null)) : h('p', { class: 'muted' }, t('none')));
  }
  async function loadDigest() {
    try {
      replace(digest, await api('GET', `/v1/digest${query({ week: week.value, format: 'markdown' })}`));
    } catch (e) {
      replace(digest, e.message);
    }
  }

  replace(root,
    h('section', {}, h('h2', {}, t('alerts')), alerts),
    h('section', {}, h('h2', {}, t('topics')), h('div', { class: 'filters' }, topicSelect, h('button', { onclick: loadChart }, t('refresh'))), chartBox, spikeList),
    h('section', {}, h('h2', {}, t('problems')), problems),
    h('section', {}, h('h2', {}, t('kpis')),
      h('div', { class: 'filters' }, h('label', {}, t('from'), ' ', from), h('label', {}, t('to_date'), ' ', to), h('label', {}, t('group_by'), ' ', groupBy),
        h('button', { onclick: loadKpis }, t('refresh'))), kpiBox),
    auditing ? h('section', {}, h('h2', {}, t('audit')), h('div', { class: 'filters' }, h('button', { onclick: loadAudit }, t('refresh'))), auditBox) : null,
    h('section', {}, h('h2', {}, t('digest')), h('div', { class: 'filters' }, h('label', {}, t('week'), ' ', week), h('button', { onclick: loadDigest }, t('refresh'))), digest));
  // A refresh the server could not answer (busy, restarting) is tried again a little later.
  const refreshVoice = debounce(function again(tries = 0) {
    Promise.all([loadChart(), loadProblems()]).catch((e) => {
      console.warn(`refresh failed: ${e.message}`);
      if (tries < 10) setTimeout(() => again(tries + 1), 1000);
    });
  }, 300);
  topicSelect.addEventListener('change', loadChart);
  groupBy.addEventListener('change', loadKpis);
  await Promise.all([loadAlerts(), loadKpis(), loadChart(), loadProblems(), loadDigest(), loadAudit()]);
  // Besides the live feed, the alerts, the problems and the chart are read again every 10 s:
  // what an event lost on the way would have said shows up all the same.
  const poll = setInterval(() => {
    if (!document.body.contains(problems)) return clearInterval(poll);
    refreshVoice();
    loadAlerts().catch(() => {});
  }, 10000);
  return {
    changed(ev) {
      if (!ev) { loadAlerts(); loadChart(); loadProblems(); return; } // reconnected: catch up
      if (alertTypes.has(ev.type)) {
        alerts.prepend(alertRow(ev));
        while (alerts.children.length > 100) alerts.lastChild.remove();
      }
      // A spike, and then each complaint linked to its problem: the chart and the problems again
      // (at most once in a burst).
      if (ev.type === 'spike_flagged' || ev.type === 'complaint_linked' || ev.type === 'problem_resolved') refreshVoice();
    },
    tick() {},
    key: () => false,
  };
}
