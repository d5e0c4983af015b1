// Test middleware: express.json() reads the body; the function must still get it whole.
import express from 'express';

export default () => [
  express.json({ limit: '1mb' }),
  (req, _res, next) => {
    req.headers['x-parsed-keys'] = Object.keys(req.body ?? {}).join(',');
    next();
  },
];
