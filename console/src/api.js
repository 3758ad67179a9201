// The API as the signed-in person: their token (kept in this tab only: sessionStorage) on every
// request, errors as thrown objects that carry the server's message.
const KEY = 'vocflow.token';

export const session = {
  token: sessionStorage.getItem(KEY) || '',
  me: null,
  offset: 0, // server clock - this machine's clock, ms
  set(token) {
    this.token = token;
    if (token) sessionStorage.setItem(KEY, token);
    else sessionStorage.removeItem(KEY);
  },
  now() {
    return Date.now() + this.offset;
  },
  can(...roles) {
    return !!this.me && (roles.includes(this.me.role) || this.me.role === 'admin');
  },
};

export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.message ? body.message : `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

export async function api(method, path, body, type = 'application/json') {
  const headers = { Authorization: `Bearer ${session.token}` };
  let payload;
  if (body !== undefined) {
    headers['Content-Type'] = type;
    payload = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const res = await fetch(path, { method, headers, body: payload });
  const text = await res.text();
  const isJson = (res.headers.get('content-type') || '').includes('json');
  const data = isJson && text ? JSON.parse(text) : text;
  if (!res.ok) throw new ApiError(res.status, isJson ? data : { message: text });
  return data;
}

export const get = (path) => api('GET', path);
export const post = (path, body, type) => api('POST', path, body, type);

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== '' && v != null) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

// The live feed (Server-Sent Events) read with fetch, so that the token goes in a header and
// never in a URL. Reconnects after a pause; onState(true) once connected (events may have been
// missed before: the caller catches up), onState(false) when the connection is lost. The
// returned function ends it.
export function live(types, onEvent, onState = () => {}) {
  let stopped = false;
  let controller;
  (async () => {
    while (!stopped) {
      controller = new AbortController();
      try {
        const res = await fetch(`/v1/events/stream?type=${encodeURIComponent(types)}`, {
          headers: { Authorization: `Bearer ${session.token}` },
          signal: controller.signal,
        });
        if (!res.ok) throw new Error(`stream ${res.status}`);
        onState(true);
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += decoder.decode(value, { stream: true });
          let at;
          while ((at = buf.indexOf('\n\n')) >= 0) {
            const chunk = buf.slice(0, at);
            buf = buf.slice(at + 2);
            const data = chunk.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
            if (data) onEvent(JSON.parse(data));
          }
        }
      } catch (e) {
        if (stopped) return;
      }
      onState(false);
      await new Promise((r) => setTimeout(r, 2000));
    }
  })();
  return () => {
    stopped = true;
    if (controller) controller.abort();
  };
}
