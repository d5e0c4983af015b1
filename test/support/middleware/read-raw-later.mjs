// Test middleware: waits, then reads the whole body with express.raw() and hashes it
// (a webhook signature check). By then the body may have arrived in full.
import { createHash } from 'node:crypto';
import express from 'express';

export default ({ delayMs = 50 } = {}) => [
  async (_req, _res, next) => {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    next();
  },
  express.raw({ type: () => true, limit: '8mb' }),
  (req, _res, next) => {
    req.headers['x-middleware-sha256'] = createHash('sha256').update(req.body).digest('hex');
    next();
  },
];
