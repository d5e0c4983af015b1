// The routes and functions tables, rebuilt from each answer with DOM calls
// (textContent only: names come from config files and are never parsed as HTML).

function row(cells, attributes = {}) {
  const tr = document.createElement('tr');
  for (const [name, value] of Object.entries(attributes)) tr.setAttribute(name, value);
  for (const cell of cells) {
    const td = document.createElement('td');
    if (cell instanceof Node) td.append(cell);
    else td.textContent = String(cell);
    tr.append(td);
  }
  return tr;
}

function emptyRow(columns, text) {
  const tr = document.createElement('tr');
  const td = document.createElement('td');
  td.colSpan = columns;
  td.className = 'empty';
  td.textContent = text;
  tr.append(td);
  return tr;
}

export function renderRoutes(routes) {
  const body = document.querySelector('#routes tbody');
  if (routes.length === 0) return body.replaceChildren(emptyRow(6, 'No routes are configured.'));
  body.replaceChildren(
    ...routes.map((r) => {
      const match = `${r.methods} ${r.host === '*' ? '' : r.host}${r.path}`;
      const limits = r.rateLimit === '-' ? 'none' : r.rateLimit;
      const middleware = r.middleware.length === 0 ? 'none' : r.middleware.join(', ');
      return row([r.name, match, r.target, r.auth, limits, middleware], { 'data-route': r.name, title: r.source });
    }),
  );
}

function stateBadge(state) {
  const badge = document.createElement('span');
  badge.className = `state state-${state}`;
  badge.textContent = state;
  return badge;
}

function secondsAgo(iso, now) {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 90) return `${seconds} s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
  return new Date(iso).toLocaleTimeString();
}

function wakeTook(wake) {
  if (wake === null) return '-';
  if (wake.outcome === 'in-progress') return 'waking…';
  const took = `${Math.round(wake.durationMs)} ms`;
  return wake.outcome === 'ready' ? took : `${wake.outcome} after ${took}`;
}

export function renderFunctions(functions, now = Date.now()) {
  const body = document.querySelector('#functions tbody');
  if (functions.length === 0) return body.replaceChildren(emptyRow(7, 'No functions yet.'));
  body.replaceChildren(
    ...functions.map((f) => {
      const ready = f.endpoints.filter((e) => !e.refused).length;
      const endpoints = ready === f.endpoints.length ? String(ready) : `${ready} of ${f.endpoints.length}`;
      const lastWake = f.lastWake === null ? 'never' : secondsAgo(f.lastWake.startedAt, now);
      const tr = row([f.name, stateBadge(f.state), endpoints, f.inFlight, f.pending, lastWake, wakeTook(f.lastWake)], { 'data-function': f.name });
      tr.title = f.endpoints.map((e) => e.origin).join(' ');
      return tr;
    }),
  );
}
