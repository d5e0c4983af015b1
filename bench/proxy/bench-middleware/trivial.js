// The proxy bench's "one trivial middleware" (SPEC §2 `middleware`): the factory is
// called once per config load, and its handler only passes the request on. What a
// route pays for going through express at all.
export default function trivial(_options) {
  return (_req, _res, next) => next();
}
