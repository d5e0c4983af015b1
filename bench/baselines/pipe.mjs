// The smallest correct-enough proxy, shared by http-pipe.mjs and express-pipe.mjs:
// http.request to the upstream over a keep-alive agent, the request piped up and
// the response piped back, connection-level headers not forwarded, 502 on error.
import http from 'node:http';

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade'];

/** A request listener `(req, res)` that proxies to `origin` (http://HOST:PORT). */
export function pipeProxy(origin) {
  const { hostname, port } = new URL(origin);
  const agent = new http.Agent({ keepAlive: true });
  return (req, res) => {
    const headers = { ...req.headers };
    for (const name of HOP_BY_HOP) delete headers[name];
    const upstream = http.request({ hostname, port, method: req.method, path: req.url, headers, agent }, (answer) => {
      const back = { ...answer.headers };
      for (const name of HOP_BY_HOP) delete back[name];
      res.writeHead(answer.statusCode ?? 502, back);
      answer.pipe(res);
    });
    upstream.once('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(upstream);
  };
}
