// Example route middleware (docs/middleware.md): refuses a request that lacks a
// header, before the function is woken. The default export is a factory, called
// once per config load with the route's `options`; it returns express middleware.
export default function requireHeader({ header = 'X-Tenant', status = 400 } = {}) {
  return (req, res, next) => {
    if (req.get(header)) return next();
    res
      .status(status)
      .set('content-type', 'application/problem+json')
      .end(JSON.stringify({ type: 'urn:example:missing-header', title: 'Bad Request', status, detail: `${header} is required`, requestId: req.gatehouse.requestId }));
  };
}
