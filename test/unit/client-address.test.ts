import type { IncomingMessage } from 'node:http';
import { clientAddress } from '../../gateway/client-address';
import { readTrustedProxies } from '../../gateway/config';

/** A request as the gateway sees it: the connection's peer, and the X-Forwarded-For it carries (Node joins several such headers with ", "). */
const request = (peer: string | undefined, forwardedFor?: string | string[]) => ({ socket: { remoteAddress: peer }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } }) as unknown as IncomingMessage;

const trusting = (list: string) => readTrustedProxies({ TRUSTED_PROXIES: list });

describe('clientAddress', () => {
  it('is the connection\'s peer without TRUSTED_PROXIES, whatever X-Forwarded-For says', () => {
    expect(clientAddress(request('10.0.0.5', '203.0.113.7'), undefined)).toBe('10.0.0.5');
    expect(clientAddress(request('::ffff:10.0.0.5', '203.0.113.7'), trusting(''))).toBe('::ffff:10.0.0.5');
    expect(clientAddress(request(undefined, '203.0.113.7'), undefined)).toBe('unknown');
  });

  it('is the peer when the peer is no trusted proxy: a client may write X-Forwarded-For itself', () => {
    expect(clientAddress(request('198.51.100.9', '203.0.113.7'), trusting('10.0.0.0/8'))).toBe('198.51.100.9');
  });

  it('is the address a trusted proxy forwarded for', () => {
    expect(clientAddress(request('10.0.0.5', '203.0.113.7'), trusting('10.0.0.0/8'))).toBe('203.0.113.7');
    expect(clientAddress(request('127.0.0.1', ' 203.0.113.7 '), trusting('127.0.0.1'))).toBe('203.0.113.7');
    // A trusted peer that forwarded nothing is the client itself.
    expect(clientAddress(request('10.0.0.5'), trusting('10.0.0.0/8'))).toBe('10.0.0.5');
  });

  it('walks a chain of trusted proxies from the right, to the first address none of them is', () => {
    const trusted = trusting('10.0.0.0/8, 192.168.1.1');
    expect(clientAddress(request('10.0.0.5', '203.0.113.7, 192.168.1.1, 10.9.9.9'), trusted)).toBe('203.0.113.7');
    // Several X-Forwarded-For headers, as Node hands them (joined) or as an array.
    expect(clientAddress(request('10.0.0.5', '203.0.113.7, 192.168.1.1, 10.9.9.9'.split(', ')), trusted)).toBe('203.0.113.7');
    // Every hop trusted: the farthest one is the client.
    expect(clientAddress(request('10.0.0.5', '192.168.1.1, 10.9.9.9'), trusted)).toBe('192.168.1.1');
  });

  it('never takes what the client wrote left of the first untrusted address', () => {
    const trusted = trusting('10.0.0.0/8');
    // The client sent "X-Forwarded-For: 1.2.3.4, 10.0.0.1"; its proxy appended its real address.
    expect(clientAddress(request('10.0.0.5', '1.2.3.4, 10.0.0.1, 203.0.113.7'), trusted)).toBe('203.0.113.7');
    expect(clientAddress(request('10.0.0.5', 'anything at all, 203.0.113.7'), trusted)).toBe('203.0.113.7');
  });

  it('stops at the last trusted hop at an entry that is no address', () => {
    const trusted = trusting('10.0.0.0/8');
    for (const malformed of ['unknown', '_hidden', '[2001:db8::7]', '', 'localhost', 'localhost:8080', '203.0.113', '203.0.113:80', '203.0.113.7:', '203.0.113.7:99999', '203.0.113.7:80:80', '203.0.113.7:http', '[203.0.113.7]:80', '[2001:db8::7]:', '[2001:db8::7]:99999', '[_hidden]:80', '2001:db8::7]:80']) {
      expect(clientAddress(request('10.0.0.5', `198.51.100.1, ${malformed}`), trusted)).toBe('10.0.0.5');
      expect(clientAddress(request('10.0.0.5', `198.51.100.1, ${malformed}, 10.0.0.9`), trusted)).toBe('10.0.0.9');
    }
    expect(clientAddress(request('10.0.0.5', ''), trusted)).toBe('10.0.0.5');
    expect(clientAddress(request('10.0.0.5', '203.0.113.7,,10.0.0.9'), trusted)).toBe('10.0.0.9');
  });

  it('takes an address written with the port it was called from, as Azure Application Gateway and some AWS load balancers write it', () => {
    const trusted = trusting('10.0.0.0/8, fd00::/8');
    expect(clientAddress(request('10.0.0.5', '203.0.113.7:41234'), trusted)).toBe('203.0.113.7');
    expect(clientAddress(request('10.0.0.5', '[2001:db8::7]:41234'), trusted)).toBe('2001:db8::7');
    // The walk goes on past a trusted hop written with its port.
    expect(clientAddress(request('10.0.0.5', '203.0.113.7:41234, 10.0.0.9:443, [fd00::9]:8443'), trusted)).toBe('203.0.113.7');
    // An IPv6 address without brackets has no port: its last group is part of it.
    expect(clientAddress(request('10.0.0.5', '2001:db8::7:4123'), trusted)).toBe('2001:db8::7:4123');
  });

  it('takes IPv6 proxies and clients, and an IPv4 peer written as IPv6 for an IPv4 range', () => {
    expect(clientAddress(request('fd00::5', '2001:db8::7'), trusting('fd00::/8'))).toBe('2001:db8::7');
    expect(clientAddress(request('::1', '2001:db8::7, ::1'), trusting('::1'))).toBe('2001:db8::7');
    expect(clientAddress(request('fe00::5', '2001:db8::7'), trusting('fd00::/8'))).toBe('fe00::5');
    // A gateway listening on :: sees an IPv4 proxy as ::ffff:a.b.c.d.
    expect(clientAddress(request('::ffff:127.0.0.1', '203.0.113.7'), trusting('127.0.0.1'))).toBe('203.0.113.7');
    expect(clientAddress(request('::ffff:10.1.2.3', '2001:db8::7, ::ffff:10.0.0.9'), trusting('10.0.0.0/8'))).toBe('2001:db8::7');
    expect(clientAddress(request('::ffff:11.1.2.3', '203.0.113.7'), trusting('10.0.0.0/8'))).toBe('::ffff:11.1.2.3');
  });
});
