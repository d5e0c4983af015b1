// The dashboard (SPEC §6): asks for the admin token once, then polls the admin
// API every second (functions and the 5-minute history) and every 5 s (routes).
// A refused token sends it back to the form with the reason.
import { adminApi, Refused } from './api.js';
import { createCharts } from './charts.js';
import { renderFunctions, renderRoutes } from './tables.js';
import { askForToken, forgetToken, savedToken } from './token.js';

const POLL_MS = 1000;
const ROUTES_EVERY = 5; // polls: routes change only on a reload

const connection = document.getElementById('connection');
let charts = null;

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function poll(api) {
  for (let round = 0; ; round++) {
    try {
      const [functions, history, routes] = await Promise.all([
        api.get('/admin/functions'),
        api.get('/admin/history'),
        round % ROUTES_EVERY === 0 ? api.get('/admin/routes') : null,
      ]);
      showBoard();
      if (routes !== null) renderRoutes(routes.routes);
      renderFunctions(functions.functions);
      charts.update(history);
      connection.textContent = `live, updated ${new Date().toLocaleTimeString()}`;
      connection.className = 'live';
    } catch (error) {
      if (error instanceof Refused) throw error;
      connection.textContent = 'cannot reach the admin API; retrying';
      connection.className = 'down';
    }
    await pause(POLL_MS);
  }
}

function showBoard() {
  const board = document.getElementById('board');
  if (!board.hidden) return;
  board.hidden = false;
  document.getElementById('forget').hidden = false;
  charts ??= createCharts(document.getElementById('charts'));
}

async function main() {
  document.getElementById('forget').addEventListener('click', () => {
    forgetToken();
    location.reload();
  });
  let message = null;
  for (;;) {
    const token = savedToken() ?? (await askForToken(message));
    try {
      await poll(adminApi(token));
    } catch (error) {
      forgetToken();
      document.getElementById('forget').hidden = true;
      connection.textContent = '';
      message = error.message;
    }
  }
}

void main();
