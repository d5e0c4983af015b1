// GET a path until it answers 2xx: how the local backend knows an instance is
// ready, and how the Kubernetes backend double-checks a pod ("Ready" in
// Kubernetes does not always mean the app answers, SPEC §5).
import http from 'node:http';

const FIRST_DELAY_MS = 10;
/** A cold start waits for the next poll after the app listens: a 100 ms cap cost 8 of 50
 * local cold starts ~110 ms (BENCHMARKS.md, wake overhead), 25 ms keeps polls cheap. */
const MAX_DELAY_MS = 25;
const PROBE_TIMEOUT_MS = 1000;

function probeOnce(host: string, port: number, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path, agent: false, timeout: PROBE_TIMEOUT_MS }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve(status >= 200 && status < 300);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** Resolves when the probe answers 2xx; rejects when `signal` aborts (deadline, exit). */
export async function waitUntilReady(host: string, port: number, path: string, signal: AbortSignal): Promise<void> {
  let delay = FIRST_DELAY_MS;
  while (!signal.aborted) {
    if (await probeOnce(host, port, path)) return;
    if (signal.aborted) break;
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(MAX_DELAY_MS, delay * 2);
  }
  throw signal.reason instanceof Error ? signal.reason : new Error('readiness probe aborted');
}
