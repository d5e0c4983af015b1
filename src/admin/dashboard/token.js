// The admin token: asked for once, kept in this tab's sessionStorage (gone when
// the tab closes), never put in a URL or logged.
const KEY = 'gatehouse.adminToken';

export function savedToken() {
  return sessionStorage.getItem(KEY);
}

export function forgetToken() {
  sessionStorage.removeItem(KEY);
}

/** Shows the token form (with `message` when the last token failed) until one is entered. */
export function askForToken(message) {
  const login = document.getElementById('login');
  const form = document.getElementById('token-form');
  const input = document.getElementById('token');
  const error = document.getElementById('token-error');
  error.textContent = message ?? '';
  error.hidden = !message;
  document.getElementById('board').hidden = true;
  login.hidden = false;
  input.value = '';
  input.focus();
  return new Promise((resolve) => {
    form.addEventListener('submit', function submitted(event) {
      event.preventDefault();
      const token = input.value.trim();
      if (token === '') return;
      form.removeEventListener('submit', submitted);
      sessionStorage.setItem(KEY, token);
      input.value = '';
      login.hidden = true;
      resolve(token);
    });
  });
}
