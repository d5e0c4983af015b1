// `--trust-proxy` (SPEC §1): which address is the client's, and so whose
// `key: ip` bucket a request fills. By default X-Forwarded-For is ignored.
import assert from 'node:assert/strict';
import { parseTrustProxy, type ClientIpOf } from '../../../src/http/client-ip.js';
import { fakeRequest } from '../../support/fake-request.js';

function clientIpOf(value: string | undefined): ClientIpOf {
  const parsed = parseTrustProxy(value);
  if (!parsed.ok) assert.fail(parsed.error);
  return parsed.clientIp;
}

/** A request from `peer` carrying these X-Forwarded-For headers. */
function from(peer: string, ...xff: string[]) {
  const req = fakeRequest(xff.map((value) => ['X-Forwarded-For', value] as [string, string]));
  Object.defineProperty(req.socket, 'remoteAddress', { value: peer });
  return req;
}

describe('client IP (--trust-proxy)', () => {
  it('is the socket peer by default, whatever X-Forwarded-For says', () => {
    for (const value of [undefined, '', 'none']) assert.equal(clientIpOf(value)(from('10.0.0.9', '1.2.3.4')), '10.0.0.9');
  });

  it('strips the IPv4-mapped prefix of the peer', () => {
    assert.equal(clientIpOf(undefined)(from('::ffff:127.0.0.1')), '127.0.0.1');
  });

  describe('a hop count', () => {
    it('takes the address that many entries left of the peer', () => {
      assert.equal(clientIpOf('1')(from('10.0.0.9', '1.2.3.4, 5.6.7.8')), '5.6.7.8');
      assert.equal(clientIpOf('2')(from('10.0.0.9', '1.2.3.4, 5.6.7.8')), '1.2.3.4');
      assert.equal(clientIpOf('2')(from('10.0.0.9', '1.2.3.4', '5.6.7.8')), '1.2.3.4', 'repeated headers are one list');
    });

    it('stops at the leftmost entry, and is the peer without the header', () => {
      assert.equal(clientIpOf('5')(from('10.0.0.9', '1.2.3.4')), '1.2.3.4');
      assert.equal(clientIpOf('1')(from('10.0.0.9')), '10.0.0.9');
      assert.equal(clientIpOf('0')(from('10.0.0.9', '1.2.3.4')), '10.0.0.9');
    });
  });

  describe('a CIDR list', () => {
    const trust = clientIpOf('10.0.0.0/8, 192.168.1.1, fd00::/8');

    it('walks right to left past trusted addresses', () => {
      assert.equal(trust(from('10.0.0.9', '1.2.3.4, 192.168.1.1')), '1.2.3.4');
      assert.equal(trust(from('10.0.0.9', '1.2.3.4, 6.6.6.6, 10.1.1.1')), '6.6.6.6', 'an untrusted hop ends the walk');
      assert.equal(trust(from('fd00::1', '2001:db8::5')), '2001:db8::5');
    });

    it('does not look at X-Forwarded-For when the peer is not trusted', () => {
      assert.equal(trust(from('8.8.8.8', '1.2.3.4')), '8.8.8.8');
    });

    it('is the leftmost entry when every hop is trusted', () => {
      assert.equal(trust(from('10.0.0.9', '10.0.0.1, 10.0.0.2')), '10.0.0.1');
    });
  });

  describe('a bad value', () => {
    it('is refused with the entry named', () => {
      const parsed = parseTrustProxy('10.0.0.0/8, proxy.internal');
      assert.ok(!parsed.ok);
      assert.match(parsed.error, /"proxy\.internal"/);
    });

    it('refuses an empty or out-of-range prefix length (10.0.0.0/ used to trust every address)', () => {
      for (const value of ['10.0.0.0/', '10.0.0.0/33', '10.0.0.0/x', '10.0.0.0/8/9', 'fd00::/129', '10.0.0.0/-1']) {
        const parsed = parseTrustProxy(value);
        assert.ok(!parsed.ok, value);
        assert.match(parsed.error, /prefix length/, value);
      }
      assert.ok(parseTrustProxy('0.0.0.0/0').ok, 'an explicit /0 is allowed: the operator said so');
    });
  });
});
