// The only way the console makes DOM: h(tag, attributes, ...children). Strings become text
// nodes, so whatever a customer wrote is shown as written and never parsed as HTML.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

// "in 1h 05m", "12m ago": how far `iso` is from `now` (ms).
export function until(iso, now) {
  if (!iso) return '';
  const ms = Date.parse(iso) - now;
  const abs = Math.abs(ms);
  const m = Math.floor(abs / 60000) % 60, hrs = Math.floor(abs / 3600000) % 24;
  const d = Math.floor(abs / 86400000);
  const text = d ? `${d}d ${hrs}h` : hrs ? `${hrs}h ${String(m).padStart(2, '0')}m` : `${m}m`;
  return ms >= 0 ? text : `-${text}`;
}

export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return d.toISOString().slice(0, 16).replace('T', ' ') + 'Z';
}

export function debounce(fn, ms) {
  let t;
  return (...a) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...a), ms);
  };
}

// For a view that loads again as events come: each call of the returned function starts a
// turn and returns whether that turn is still the newest, so that an older answer arriving
// late is dropped instead of drawn over a newer one.
export function turns() {
  let n = 0;
  return () => {
    const mine = ++n;
    return () => mine === n;
  };
}
