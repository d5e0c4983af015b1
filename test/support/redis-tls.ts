// A real redis-server speaking TLS only (`--port 0 --tls-port P`: nothing listens
// in plaintext), with a CA and a server certificate for 127.0.0.1 made by the test
// with openssl, in a temp directory removed by dispose().
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { pingOn, startRedisServer, type RedisServer } from './redis-server.js';

export interface TlsRedis {
  readonly server: RedisServer;
  /** `rediss://127.0.0.1:PORT`. */
  readonly url: string;
  /** The PEM file of the CA that signed the server's certificate, for `--redis-ca`. */
  readonly caFile: string;
  dispose(): Promise<void>;
}

export async function startTlsRedis(extraArgs: readonly string[] = []): Promise<TlsRedis> {
  const certs = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-redis-tls-'));
  try {
    makeCertificates(certs);
    const file = (name: string): string => path.join(certs, name);
    const ca = readFileSync(file('ca.pem'));
    const server = await startRedisServer({
      scheme: 'rediss',
      args: (port, dir) => [
        '--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1',
        '--tls-cert-file', file('server.pem'), '--tls-key-file', file('server.key'), '--tls-ca-cert-file', file('ca.pem'), '--tls-auth-clients', 'no',
        '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning', ...extraArgs,
      ],
      ping: (port) => tlsPing(port, ca),
    });
    return {
      server,
      url: server.url,
      caFile: file('ca.pem'),
      async dispose() {
        await server.dispose();
        rmSync(certs, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(certs, { recursive: true, force: true });
    throw error;
  }
}

/** A CA, and a server certificate it signed for IP 127.0.0.1 (what the gateway verifies). */
function makeCertificates(dir: string): void {
  const run = (args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=gatehouse test CA']);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  const ext = path.join(dir, 'server.ext');
  writeFileSync(ext, 'subjectAltName=IP:127.0.0.1\n');
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', ext]);
}

/** PING over TLS, trusting `ca`: `+PONG`, or `-NOAUTH` from a server whose default user needs a password. */
function tlsPing(port: number, ca: Buffer): Promise<boolean> {
  return pingOn(tls.connect({ host: '127.0.0.1', port, ca }), 'secureConnect', ['+PONG', '-NOAUTH']);
}
