// The console's queue with 10,000 open tickets in one department: how long Debian's Chromium
// takes from asking for the queue to showing its first page (the server sorts the whole queue
// by urgency and pages it; the page draws 50 rows). Run after `make build`:
//   node bench/console_bench.mjs [TICKETS] [RUNS]
import { browser, serve, signedIn, tokens } from '../tests/console/harness.mjs';

const tickets = Number(process.argv[2] || 10000);
const runs = Number(process.argv[3] || 7);
const s = await serve('2026-03-09T01:00:00Z');
const b = await browser();
try {
  // Live opens through the batch endpoint: each routed, its clocks started, in customer service.
  const t0 = Date.now();
  for (let at = 0; at < tickets; at += 1000) {
    const lines = [];
    for (let i = at; i < Math.min(tickets, at + 1000); ++i)
      lines.push(JSON.stringify({
        source: 'bench', external_id: `Q-${i}`, customer: `C-${i}`, channel: i % 3 ? 'app' : 'web',
        category: 'returns', product: 'apparel', severity: ['low', 'normal', 'high', 'urgent'][i % 4],
        text: `Order ${i}: the jeans run small`,
      }));
    const r = await s.call('POST', '/v1/tickets:batch?mode=live', lines.join('\n'), 'admin', 'application/x-ndjson');
    if (r.text.includes('"rejected"') || r.text.includes('"failed"')) throw new Error(r.text.slice(0, 300));
  }
  const loaded = Date.now() - t0;
  // The server's part alone: the first page of the queue over HTTP.
  const api = [];
  for (let i = 0; i < runs; ++i) {
    const a = performance.now();
    const r = await s.call('GET', '/v1/tickets?department=customer_service&status=open&limit=50');
    api.push(performance.now() - a);
    if (r.json.total !== tickets) throw new Error(`the queue has ${r.json.total} tickets, not ${tickets}`);
  }
  // The browser: from reload to the first page drawn (50 rows and the total).
  const page = await signedIn(b, s.url, tokens.agent);
  await page.waitForSelector('tr[data-ticket]');
  const shown = [];
  for (let i = 0; i < runs; ++i) {
    const a = performance.now();
    await page.reload();
    await page.waitForFunction((n) => document.querySelectorAll('tr[data-ticket]').length === 50 &&
      document.querySelector('[data-testid=queue-total]')?.textContent.startsWith(`${n} `), tickets);
    shown.push(performance.now() - a);
  }
  // And the next page, as an agent pages on.
  const next = [];
  for (let i = 0; i < runs; ++i) {
    const first = await page.getAttribute('tr[data-ticket]', 'data-ticket');
    const a = performance.now();
    await page.click('[data-testid=next-page]');
    await page.waitForFunction((f) => document.querySelector('tr[data-ticket]')?.dataset.ticket !== f, first);
    next.push(performance.now() - a);
  }
  const median = (xs) => xs.slice().sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const f = (x) => `${x.toFixed(0)} ms`;
  console.log(`tickets: ${tickets} open in one department (loaded in ${(loaded / 1000).toFixed(1)} s)`);
  console.log(`queue API, first page:        median ${f(median(api))}, max ${f(Math.max(...api))} (${runs} runs)`);
  console.log(`browser, reload to first page: median ${f(median(shown))}, max ${f(Math.max(...shown))}`);
  console.log(`browser, next page:            median ${f(median(next))}, max ${f(Math.max(...next))}`);
  if (page.problems.length) throw new Error(page.problems.join('\n'));
} finally {
  await b.close();
  await s.stop();
}
