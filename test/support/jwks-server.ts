// A real JWKS endpoint for tests: serves the current key set over HTTP on
// 127.0.0.1, counts fetches, can rotate keys and go down (answer 503).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonWebKey } from 'node:crypto';

export class JwksServer {
  readonly #server: http.Server;
  #keys: JsonWebKey[] = [];
  #down = false;
  fetches = 0;
  port = 0;

  constructor() {
    this.#server = http.createServer((req, res) => {
      this.fetches++;
      if (this.#down) {
        res.writeHead(503).end('down');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: this.#keys }));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/.well-known/jwks.json`;
  }

  setKeys(keys: JsonWebKey[]): void {
    this.#keys = keys;
  }

  setDown(down: boolean): void {
    this.#down = down;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
