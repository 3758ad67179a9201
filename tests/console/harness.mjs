// What the browser tests and the console benchmark share: a real `vocflow serve` on loopback
// (its own data folder, a clock moved by hand), its API, and Debian's Chromium driven by
// Playwright (playwright-core from the console's pinned npm packages).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const source = process.env.VOCFLOW_SOURCE_DIR || new URL('../..', import.meta.url).pathname;
export const binary = process.env.VOCFLOW_BINARY || join(source, 'build/app/vocflow');
const { chromium } = createRequire(join(source, 'console/package.json'))('playwright-core');

// The example configuration's tokens (config/vocflow.yaml).
export const tokens = {
  agent: 'dev-agent-li-wei-0001',
  supervisor: 'dev-supervisor-maria-01',
  owner: 'dev-owner-ana-00000001',
  ops: 'dev-ops-sam-000000001',
  admin: 'dev-admin-root-000001',
};

export async function serve(clock, extra = []) {
  const dir = mkdtempSync(join(tmpdir(), 'vocflow-console-'));
  const child = spawn(binary, ['serve', '--data', join(dir, 'data'), '--port', '0', '--clock', clock, ...extra], {
    cwd: source,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const url = await new Promise((resolve, reject) => {
    const seen = (chunk) => {
      log += chunk;
      const m = /serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
      if (m) resolve(m[1]);
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.on('exit', (code) => reject(new Error(`vocflow serve exited (${code}):\n${log}`)));
  });
  const server = {
    url,
    log: () => log,
    async call(method, path, body, role = 'agent', type = 'application/json') {
      const res = await fetch(url + path, {
        method,
        headers: { Authorization: `Bearer ${tokens[role]}`, ...(body !== undefined ? { 'Content-Type': type } : {}) },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let json = null;
      try { json = JSON.parse(text); } catch { /* not JSON */ }
      if (!res.ok && !server.allowFailure) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return { status: res.status, json, text };
    },
    open(ticket, role = 'agent') {
      return server.call('POST', '/v1/tickets', ticket, role).then((r) => r.json.id);
    },
    advance(by) {
      return server.call('POST', '/v1/clock', { advance: by }, 'admin');
    },
    clockTo(iso) {
      return server.call('POST', '/v1/clock', { to: iso }, 'admin');
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  child.removeAllListeners('exit');
  // A server that dies under a test says why (a sanitizer's report, a crash).
  let stopping = false;
  child.on('exit', (code, signal) => {
    if (!stopping) console.error(`vocflow serve ended (${code ?? signal}) during the test:\n${log.slice(-6000)}`);
  });
  const stop = server.stop;
  server.stop = () => {
    stopping = true;
    return stop();
  };
  return server;
}

export async function browser() {
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`no browser at ${executablePath}: apt-get install chromium`);
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

// A page that fails the test on any script error or refused resource (a Content-Security-Policy
// violation among them), signed in with `token`.
export async function signedIn(b, url, token, viewport = { width: 1280, height: 800 }) {
  const context = await b.newContext({ viewport });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // A refused action's 4xx is logged by the browser too: that one is expected.
  page.messages = [];
  page.on('console', (m) => {
    page.messages.push(`${m.type()}: ${m.text()}`);
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
  });
  page.problems = problems;
  await page.goto(url + '/');
  await page.fill('input[name=token]', token);
  await page.click('button[type=submit]');
  await page.waitForSelector('header.top');
  return page;
}
