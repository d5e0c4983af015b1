// Test middleware without a default export (a config error at load).
export const handler = (_req, _res, next) => next();
