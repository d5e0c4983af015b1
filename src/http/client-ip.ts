// The client's address (`--trust-proxy`, SPEC §1): by default the socket peer, so
// a forged X-Forwarded-For changes nothing. With a hop count N, the address N
// entries from the right of peer + X-Forwarded-For; with a CIDR list, walk right
// to left past trusted addresses. Compiled once (STYLE §1: like express's
// 'trust proxy fn').
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

export type ClientIpOf = (req: IncomingMessage) => string;

export function parseTrustProxy(value: string | undefined): { ok: true; clientIp: ClientIpOf } | { ok: false; error: string } {
  if (value === undefined || value.trim() === '' || value === 'none') return { ok: true, clientIp: peerAddress };
  if (/^\d+$/.test(value.trim())) {
    const hops = Number(value.trim());
    return { ok: true, clientIp: (req) => walkByHops(req, hops) };
  }
  const trusted = new BlockList();
  for (const entry of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const slash = entry.indexOf('/');
    const address = slash === -1 ? entry : entry.slice(0, slash);
    const prefix = slash === -1 ? undefined : entry.slice(slash + 1); // "10.0.0.0/8/9" is refused below
    const family = isIP(address);
    if (family === 0) return { ok: false, error: `--trust-proxy: "${entry}" is neither a hop count nor an address or CIDR` };
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) {
      trusted.addAddress(address, type);
      continue;
    }
    // Checked here, not left to BlockList: `Number('')` is 0, so "10.0.0.0/" trusted
    // every address (and a forged X-Forwarded-For picked the rate-limit bucket), while
    // "/33" or "/x" threw a RangeError instead of naming the bad entry.
    const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
    if (!(bits <= (family === 6 ? 128 : 32))) return { ok: false, error: `--trust-proxy: "${entry}" has an invalid prefix length` };
    trusted.addSubnet(address, bits, type);
  }
  return { ok: true, clientIp: (req) => walkByTrust(req, trusted) };
}

function peerAddress(req: IncomingMessage): string {
  return stripV4Mapped(req.socket.remoteAddress ?? '');
}

function chain(req: IncomingMessage): string[] {
  const header = req.headers['x-forwarded-for'];
  const listed = typeof header === 'string' ? header.split(',').map((s) => s.trim()).filter(Boolean) : [];
  listed.push(peerAddress(req));
  return listed;
}

function walkByHops(req: IncomingMessage, hops: number): string {
  if (hops === 0) return peerAddress(req);
  const addresses = chain(req);
  return addresses[Math.max(0, addresses.length - 1 - hops)] ?? peerAddress(req);
}

function walkByTrust(req: IncomingMessage, trusted: BlockList): string {
  const addresses = chain(req);
  for (let i = addresses.length - 1; i > 0; i--) {
    const address = addresses[i] as string;
    const family = isIP(address);
    if (family === 0 || !trusted.check(address, family === 6 ? 'ipv6' : 'ipv4')) return address;
  }
  return addresses[0] as string;
}

function stripV4Mapped(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
