// Test middleware: answers with what express's request API says of the request
// (req.get, req.path, req.query, req.hostname, req.app), through res.set and res.json.
export default () => (req, res) => {
  res.set('X-Express-Api', 'yes');
  res.status(203).json({ get: req.get('x-probe'), path: req.path, query: req.query, hostname: req.hostname, app: typeof req.app?.get, locals: typeof res.locals });
};
