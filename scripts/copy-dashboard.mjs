// Build step after tsc (`npm run build`, `npm run build:test`): copies the
// dashboard's files (plain ES modules, CSS and HTML, served as written: no
// bundler, no transform) beside the compiled admin server, which serves them
// from there. Usage: node scripts/copy-dashboard.mjs OUT_DIR
import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const outDir = process.argv[2];
if (!outDir) throw new Error('usage: node scripts/copy-dashboard.mjs OUT_DIR');
const from = fileURLToPath(new URL('../src/admin/dashboard/', import.meta.url));
const to = path.resolve(outDir, 'admin', 'dashboard');
rmSync(to, { recursive: true, force: true }); // a file removed from src does not linger in the build
cpSync(from, to, { recursive: true });
