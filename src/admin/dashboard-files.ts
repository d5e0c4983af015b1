// The dashboard's files (SPEC §6), served by the admin listener itself: the page,
// its ES modules and CSS, and uPlot from node_modules, so it works offline with
// no CDN and no front-end build. A fixed table made once at start: a request can
// only name a file listed here, never a path on disk.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StaticFile {
  readonly contentType: string;
  read(): Promise<Buffer>;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The page's own files, beside this module once built (the build copies src/admin/dashboard). */
const OWN_FILES = ['index.html', 'style.css', 'favicon.svg', 'app.js', 'api.js', 'charts.js', 'tables.js', 'token.js'];

/** URL path → file. Read on first use and kept: the whole set is ~100 KB. */
export function dashboardFiles(): ReadonlyMap<string, StaticFile> {
  const own = fileURLToPath(new URL('./dashboard/', import.meta.url));
  const require = createRequire(import.meta.url);
  const uplot = path.dirname(require.resolve('uplot/dist/uPlot.esm.js'));
  const table = new Map<string, StaticFile>([['/', fileAt(path.join(own, 'index.html'))]]);
  for (const name of OWN_FILES) table.set(`/dashboard/${name}`, fileAt(path.join(own, name)));
  table.set('/dashboard/vendor/uPlot.esm.js', fileAt(path.join(uplot, 'uPlot.esm.js')));
  table.set('/dashboard/vendor/uPlot.min.css', fileAt(path.join(uplot, 'uPlot.min.css')));
  return table;
}

function fileAt(file: string): StaticFile {
  let content: Promise<Buffer> | null = null;
  return {
    contentType: TYPES[path.extname(file)] ?? 'application/octet-stream',
    read: () => {
      content ??= readFile(file);
      content.catch(() => (content = null)); // a failed read is tried again next time
      return content;
    },
  };
}
