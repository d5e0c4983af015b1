// Test middleware: tries to forge the identity headers the gateway owns (SPEC §2: they stay the gateway's).
export default () => (req, _res, next) => {
  req.headers['x-gatehouse-consumer'] = 'forged';
  req.headers['x-gatehouse-auth'] = 'forged';
  req.headers['x-gatehouse-extra'] = 'forged';
  req.headers['x-user-id'] = 'forged';
  next();
};
