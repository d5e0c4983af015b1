// The public listener's request and response classes: node's own, subclassed
// empty, so that their prototypes are the gateway's to extend. The first config
// with route middleware re-parents them onto express's request and response once
// (middleware/chain.ts), and from then on every request has express's methods
// through its prototype chain. express itself re-prototypes each request instead
// (Object.setPrototypeOf in app.handle): V8 then deoptimises every later access
// to that req and res, in the proxy, http-proxy and node's http alike, and a
// route with one trivial middleware cost 320 µs of CPU a request against 155 µs
// for the same route without it (measured with /proc/PID/stat under wrk).
import http from 'node:http';

export class PublicRequest extends http.IncomingMessage {}

export class PublicResponse extends http.ServerResponse<PublicRequest> {}
