// A tiny upstream for `upstream:` routes (unlike upstream-server.ts, no recording):
// answers 200 with its path at once, or holds any request whose path starts with
// /hold until the test releases it, so a request stays in flight as long as needed.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestUpstream {
  /** `http://127.0.0.1:PORT`, for a route's `upstream:`. */
  readonly origin: string;
  /** Resolves once `count` held requests have arrived in total. */
  whenHeld(count?: number): Promise<void>;
  /** Answer every held request (and any that arrives later) with 200. */
  release(): void;
  close(): Promise<void>;
}

export async function startUpstream(): Promise<TestUpstream> {
  const held: http.ServerResponse[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  let arrived = 0;
  let released = false;
  const answer = (res: http.ServerResponse, path: string): void => {
    const body = JSON.stringify({ path });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
  };
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    if (!path.startsWith('/hold') || released) return answer(res, path);
    held.push(res);
    arrived++;
    for (const waiter of waiters.filter((w) => arrived >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    whenHeld: (count = 1) => (arrived >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }))),
    release() {
      released = true;
      for (const res of held.splice(0)) answer(res, '/hold');
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
