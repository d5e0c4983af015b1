// GET a small JSON document with a deadline (JWKS). No redirects are followed:
// a key set moves only by changing the policy.
import http from 'node:http';
import https from 'node:https';

const MAX_BYTES = 1024 * 1024;

export function fetchJson(url: URL, timeoutMs: number): Promise<unknown> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.get(url, { headers: { accept: 'application/json' }, agent: false }, (res) => {
      if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) {
        res.resume();
        reject(new Error(`HTTP ${res.statusCode}`));
        return;
      }
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > MAX_BYTES) req.destroy(new Error('response too large'));
        else chunks.push(chunk);
      });
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
      res.on('error', reject);
    });
    // A deadline for the whole exchange. http's `timeout` option is an idle timer that
    // every chunk re-arms: an endpoint trickling a byte at a time held the fetch, and
    // every request waiting on it, indefinitely.
    const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.once('close', () => clearTimeout(deadline));
    req.on('error', reject);
  });
}
