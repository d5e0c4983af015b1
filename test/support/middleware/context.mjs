// Test middleware: passes req.gatehouse on to the function as a header.
export default () => (req, _res, next) => {
  req.headers['x-context'] = JSON.stringify(req.gatehouse);
  next();
};
