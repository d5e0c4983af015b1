// Test middleware: fails in the way `how` names.
export default ({ how }) => (_req, _res, next) => {
  if (how === 'next') return next(new Error('next(err) from a test'));
  if (how === 'throw') throw new Error('thrown by a test');
  return Promise.reject(new Error('rejected by a test'));
};
