// The admin API as the page uses it: GET with the token as a bearer header.
// A 401 (wrong token) or 403 (no token configured) is a Refused, which sends
// the page back to the token form with its message.

export class Refused extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const REFUSED = {
  401: 'The gateway refused this token (401 Unauthorized). Enter the admin token the gateway was started with (GATEHOUSE_ADMIN_TOKEN).',
  403: 'The admin API is switched off on this gateway (403): start it with GATEHOUSE_ADMIN_TOKEN set.',
};

export function adminApi(token) {
  return {
    async get(path) {
      const reply = await fetch(path, { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
      if (reply.status in REFUSED) throw new Refused(reply.status, REFUSED[reply.status]);
      if (!reply.ok) throw new Error(`${path}: HTTP ${reply.status}`);
      return reply.json();
    },
  };
}
