// Test middleware: sets a request header (it must reach the function).
export default ({ name, value }) => (req, _res, next) => {
  req.headers[name.toLowerCase()] = value;
  next();
};
