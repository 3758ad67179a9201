// The web console in a real browser (Debian's Chromium, driven by Playwright) against a real
// `vocflow serve` on loopback: an agent's day, an owner's flow edit, the ops view of a spike,
// and customer text that must be shown, never run. Screenshots of each view go to
// $VOCFLOW_SCREENSHOTS (default build/console-screenshots).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { browser, serve, signedIn, source, tokens } from './harness.mjs';

const shots = process.env.VOCFLOW_SCREENSHOTS || join(source, 'build/console-screenshots');
mkdirSync(shots, { recursive: true });
const only = process.argv[2] || '';
const monday = '2026-03-09T01:00:00Z'; // 09:00 in Shanghai: the cn-business calendar's morning

const returns = (customer, text) => ({
  customer, channel: 'app', category: 'returns', product: 'apparel', text, order_value: '399.00',
});

async function agentsDay(b) {
  const s = await serve(monday);
  try {
    const id = await s.open(returns('C-1001', 'Jeans two sizes small, third return this month'));
    const other = await s.open(returns('C-1002', 'Zip broke after one wash'));
    const page = await signedIn(b, s.url, tokens.agent);
    // The queue: my department's tickets, most urgent first, with countdowns.
    await page.waitForSelector(`tr[data-ticket="${id}"]`);
    assert.match(await page.textContent('[data-testid=queue-total]'), /^2 /);
    await page.screenshot({ path: join(shots, 'queue.png'), fullPage: true });

    // Search narrows the queue as one types.
    await page.fill('input[name=q]', 'zip');
    await page.waitForFunction((x) => document.querySelectorAll('tr[data-ticket]').length === 1 &&
      document.querySelector(`tr[data-ticket="${x}"]`), other);
    await page.fill('input[name=q]', '');
    await page.waitForSelector(`tr[data-ticket="${id}"]`);

    // Pick the ticket; answer the customer.
    await page.click(`tr[data-ticket="${id}"] a`);
    await page.waitForSelector('[data-testid=complaint]');
    assert.equal(await page.textContent('[data-testid=complaint]'), 'Jeans two sizes small, third return this month');
    await page.click('button[data-act=respond]');
    await page.fill('form[data-action=respond] textarea[name=text]', 'Sorry - we are checking the size chart now');
    await page.click('form[data-action=respond] button[type=submit]');
    await page.waitForSelector('[data-testid=timeline] li[data-type=responded]');

    // Compensation within the agent's limit (50 CNY), shown with the approval rule above it.
    await page.click('button[data-act=grant_compensation]');
    assert.match(await page.textContent('[data-testid=limit]'), /50 CNY.*supervisor ≤ 300.*finance/);
    await page.fill('form[data-action=grant_compensation] input[name=amount]', '30');
    await page.fill('form[data-action=grant_compensation] textarea[name=text]', 'Goodwill for the third return');
    await page.click('form[data-action=grant_compensation] button[type=submit]');
    await page.waitForSelector('[data-testid=timeline] li[data-type=compensation_granted]');

    // Above it: refused, and the server's reason is on the page.
    await page.click('button[data-act=grant_compensation]');
    await page.fill('form[data-action=grant_compensation] input[name=amount]', '200');
    await page.click('form[data-action=grant_compensation] button[type=submit]');
    await page.waitForSelector('[data-testid=refusal].error');
    const why = await page.textContent('[data-testid=refusal]');
    assert.match(why, /above the agent limit of/);
    assert.match(why, /request_compensation asks supervisor/);
    await page.screenshot({ path: join(shots, 'ticket-refused.png'), fullPage: true });
    await page.click('form[data-action=grant_compensation] button[type=button]');

    // Hand it off with the department picker and a reason; the next reader sees who said what.
    await page.click('button[data-act=hand_off]');
    await page.selectOption('form[data-action=hand_off] select[name=to]', 'ecommerce_ops');
    await page.fill('form[data-action=hand_off] textarea[name=text]', 'Size chart of the slim fit looks wrong');
    await page.click('form[data-action=hand_off] button[type=submit]');
    await page.waitForSelector('[data-testid=timeline] li[data-type=handed_off]');
    const history = await page.textContent('[data-testid=timeline]');
    for (const said of ['Sorry - we are checking', 'Goodwill for the third return', 'Size chart of the slim fit'])
      assert.ok(history.includes(said), `the history shows "${said}"`);
    assert.ok(history.includes('li.wei'), 'the history names who acted');
    await page.screenshot({ path: join(shots, 'ticket.png'), fullPage: true });

    // Back to the queue; the first response of the other ticket breaches at 13:00 Shanghai.
    // The clock moves on the server; the breach arrives by the live feed, with no reload.
    await page.keyboard.press('Escape');
    await page.waitForSelector(`tr[data-ticket="${other}"]`);
    assert.equal(await page.$(`tr.late[data-ticket="${other}"]`), null);
    await page.waitForSelector('[data-testid=live].on');
    await s.advance('5h');
    await page.waitForSelector(`tr.late[data-ticket="${other}"] .badge.late`, { timeout: 15000 });
    await page.screenshot({ path: join(shots, 'queue-breach.png'), fullPage: true });

    // Keyboard: j/k and Enter open the selected ticket.
    await page.keyboard.press('k');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=complaint]');

    // A phone-sized screen still works the queue.
    const phone = await signedIn(b, s.url, tokens.agent, { width: 390, height: 844 });
    await phone.waitForSelector(`tr[data-ticket="${other}"]`);
    await phone.screenshot({ path: join(shots, 'queue-phone.png'), fullPage: true });
    assert.deepEqual([...page.problems, ...phone.problems], []);
  } finally {
    await s.stop();
  }
}

async function ownersFlow(b) {
  const s = await serve(monday);
  try {
    await s.open(returns('C-2001', 'Wrong colour'));
    const page = await signedIn(b, s.url, tokens.owner);
    await page.goto(`${s.url}/#/flows/apparel-returns`);
    await page.waitForSelector('[data-testid=graph] svg');
    // The drawing carries each step's live count.
    await page.waitForSelector('[data-testid=graph] text.count');
    assert.match(await page.textContent('[data-testid=graph] text.count'), /1 open/);
    // An error typed into the flow: shown at its line as one types.
    await page.evaluate(() => {
      const v = window.vocflowEditor;
      const text = v.state.doc.toString();
      const at = text.indexOf('owner: customer_service');
      v.dispatch({ changes: { from: at, to: at + 'owner: customer_service'.length, insert: 'owner: customer_servise' },
        selection: { anchor: at + 'owner: customer_servise'.length }, scrollIntoView: true });
    });
    await page.waitForSelector('[data-testid=lint-status].error');
    await page.waitForSelector('.cm-lintRange-error');
    const marked = await page.evaluate(() => document.querySelector('.cm-lintRange-error')?.closest('.cm-line')?.textContent);
    assert.match(marked, /customer_servise/, 'the error is marked on its own line');
    await page.screenshot({ path: join(shots, 'flow-error.png'), fullPage: true });
    // Fixed, as a new version, then deployed.
    await page.evaluate(() => {
      const v = window.vocflowEditor;
      const text = v.state.doc.toString().replace('customer_servise', 'customer_service').replace(/^version: 1$/m, 'version: 2');
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text } });
    });
    await page.waitForSelector('[data-testid=lint-status].ok');
    await page.click('[data-testid=deploy]');
    await page.waitForFunction(() => /apparel-returns@2/.test(document.querySelector('[data-testid=lint-status]').textContent));
    const flows = (await s.call('GET', '/v1/flows', undefined, 'owner')).json.flows;
    assert.ok(flows.some((f) => f.id === 'apparel-returns' && f.version === 2 && f.newest));
    await page.screenshot({ path: join(shots, 'flows.png'), fullPage: true });
    // What if the first answer were due within 1h: the open ticket replayed under the text.
    await s.advance('2h');
    await page.evaluate(() => {
      const v = window.vocflowEditor;
      const text = v.state.doc.toString().replace('within: 4h', 'within: 1h');
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text } });
    });
    await page.click('[data-testid=replay]');
    await page.waitForSelector('[data-testid=what-if] table');
    const table = await page.textContent('[data-testid=what-if] table');
    assert.match(table, /breaches: first_response\s*01\+1/, table);
    assert.match(await page.textContent('[data-testid=what-if]'), /policy only/);
    // Handed to logistics and straight back: the ops page's audit lists the ping-pong.
    const bounced = await s.open(returns('C-2002', 'Parcel lost'));
    for (const [to, text] of [['logistics', 'the parcel is lost'], ['customer_service', 'not ours']])
      assert.equal((await s.call('POST', `/v1/tickets/${bounced}/actions`, { action: 'hand_off', to, text }, 'agent')).status, 200);
    await page.goto(`${s.url}/#/ops`);
    await page.waitForSelector(`[data-testid=audit] li[data-kind=handoff_ping_pong] a[href="#/ticket/${bounced}"]`);

    // An agent sees no deploy button, and the API refuses a deploy anyway.
    const agent = await signedIn(b, s.url, tokens.agent);
    await agent.goto(`${s.url}/#/flows/apparel-returns`);
    await agent.waitForSelector('[data-testid=graph] svg');
    assert.equal(await agent.$('[data-testid=deploy]'), null);
    s.allowFailure = true;
    assert.equal((await s.call('POST', '/v1/flows', 'id: x\n', 'agent', 'application/yaml')).status, 403);
    assert.deepEqual([...page.problems, ...agent.problems], []);
  } finally {
    await s.stop();
  }
}

async function opsSpike(b) {
  const start = Date.parse('2026-05-04T00:00:00Z');
  const s = await serve(new Date(start).toISOString());
  try {
    let customer = 0;
    const complain = (kind) => s.open({
      customer: `C-${++customer}`, channel: customer % 2 ? 'app' : 'web', category: 'app',
      text: kind === 'crash' ? 'The app crashes on start, 一打开就闪退' : 'Battery drains fast, 耗电太快',
    });
    // Four ordinary weeks: 3 to 6 crash and battery complaints a day.
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let d = 0; d < 28; ++d) {
      const day = [];
      for (const kind of ['crash', 'battery']) {
        const n = 3 + Math.floor(rand() * 4);
        for (let i = 0; i < n; ++i) day.push([start + d * 86400000 + (60 + 100 * i) * 60000 + (kind === 'crash' ? 0 : 30000), kind]);
      }
      day.sort((a, b) => a[0] - b[0]);
      for (const [at, kind] of day) {
        await s.clockTo(new Date(at).toISOString());
        await complain(kind);
      }
    }
    const quiet = (await s.call('GET', '/v1/spikes?from=2026-01-01T00:00:00Z', undefined, 'ops')).json.items;
    assert.deepEqual(quiet, [], 'four ordinary weeks flag nothing');
    // The update ships; crashes jump that morning.
    const release = start + 28 * 86400000 + 9 * 3600000;
    await s.clockTo(new Date(release).toISOString());
    await s.call('POST', '/v1/markers', { text: 'app 5.2 released', topic: 'device/crash' }, 'ops');
    const page = await signedIn(b, s.url, tokens.ops);
    await page.goto(`${s.url}/#/ops`);
    await page.waitForSelector('main.view-ops[data-ready] [data-testid=topic-chart] canvas');
    await page.waitForSelector('[data-testid=live].on');
    for (let i = 0; i < 30; ++i) {
      await s.clockTo(new Date(release + (i + 1) * 600000).toISOString());
      await complain('crash');
    }
    // The spike comes by the live feed: the chart is drawn again with it, the problem listed.
    try {
      await page.waitForFunction(() => /device\/crash/.test(document.querySelector('[data-testid=problems]').textContent), null, { timeout: 30000 });
    } catch (e) {
      const problems = (await s.call('GET', '/v1/problems?status=open', undefined, 'ops')).json;
      const shown = await page.textContent('[data-testid=problems]');
      const live = await page.getAttribute('[data-testid=live]', 'class');
      const asked = s.log().split('\n').filter((l) => /problems|spike|warn/.test(l)).slice(-12).join('\n');
      throw new Error(`no problem shown (${shown}); the server has ${JSON.stringify(problems).slice(0, 200)}; live: ${live}\n` +
        `page: ${page.messages.slice(-10).join('\n')}\nserver: ${asked}`);
    }
    await page.selectOption('select[name=chart-topic]', 'device/crash');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=spikes] li.late').length === 1);
    const listed = await page.textContent('[data-testid=spikes]');
    assert.match(listed, /app 5\.2 released/);
    // The live list of alerts got the spike as it happened.
    await page.waitForSelector('[data-testid=alerts] li[data-type=spike_flagged]');
    await page.screenshot({ path: join(shots, 'ops.png'), fullPage: true });
    assert.deepEqual(page.problems, []);
  } finally {
    await s.stop();
  }
}

async function customerTextIsShownNeverRun(b) {
  const s = await serve(monday);
  try {
    const text = '<script>window.__pwned=1</script>屏幕一打开就闪退 <img src=x onerror="window.__pwned=2"> & "quotes"';
    const id = await s.open({ customer: '<b>C-3001</b>', channel: 'web', category: 'app', text });
    // The API gives back exactly what came in.
    const back = (await s.call('GET', `/v1/tickets/${id}`)).json;
    assert.equal(back.fields.text, text);
    const page = await signedIn(b, s.url, tokens.agent);
    await page.waitForSelector(`tr[data-ticket="${id}"]`);
    await page.click(`tr[data-ticket="${id}"] a`);
    await page.waitForSelector('[data-testid=complaint]');
    assert.equal(await page.textContent('[data-testid=complaint]'), text);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.equal(await page.$('[data-testid=complaint] script, [data-testid=complaint] img'), null);
    // Chinese interface, the customer's words as written.
    await page.click('header.top button.link:has-text("中文")');
    await page.waitForSelector('text=客户原话');
    assert.equal(await page.textContent('[data-testid=complaint]'), text);
    await page.screenshot({ path: join(shots, 'ticket-zh.png'), fullPage: true });
    // The token is in neither the URL nor persistent storage.
    assert.ok(!page.url().includes(tokens.agent));
    assert.equal(await page.evaluate(() => JSON.stringify(localStorage).includes('dev-agent')), false);
    assert.deepEqual(page.problems, []);
  } finally {
    await s.stop();
  }
}

const tests = { agentsDay, ownersFlow, opsSpike, customerTextIsShownNeverRun };
const b = await browser();
let failed = 0;
try {
  for (const [name, run] of Object.entries(tests)) {
    if (only && name !== only) continue;
    const t0 = Date.now();
    try {
      await run(b);
      console.log(`ok ${name} (${Date.now() - t0} ms)`);
    } catch (e) {
      failed++;
      console.log(`FAILED ${name}: ${e.stack || e}`);
    }
  }
} finally {
  await b.close();
}
console.log(`screenshots in ${shots}`);
process.exit(failed ? 1 : 0);
