// An IncomingMessage with chosen headers and url and no connection, for unit
// tests and benches of code that reads only `headers`, `rawHeaders` and `url`.
// `headers` is derived from the raw pairs the way node's parser does: names
// lower-cased, a repeated Authorization (and the other single-valued headers
// listed below) keeps its first value, any other repeat is joined with ", ".
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';

const FIRST_WINS = new Set(['authorization', 'content-type', 'content-length', 'host', 'user-agent', 'referer', 'from', 'location', 'max-forwards', 'proxy-authorization']);

export function fakeRequest(pairs: ReadonlyArray<readonly [string, string]>, url = '/'): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.url = url;
  req.method = 'GET';
  for (const [name, value] of pairs) {
    req.rawHeaders.push(name, value);
    const lower = name.toLowerCase();
    const seen = req.headers[lower];
    if (seen === undefined) req.headers[lower] = value;
    else if (!FIRST_WINS.has(lower)) req.headers[lower] = `${String(seen)}, ${value}`;
  }
  return req;
}
