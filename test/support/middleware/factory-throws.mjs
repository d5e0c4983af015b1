// Test middleware whose factory refuses its options (a config error at load).
export default ({ header } = {}) => {
  if (!header) throw new Error('options.header is required');
  return (_req, _res, next) => next();
};
