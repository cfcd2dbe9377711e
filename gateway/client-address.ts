import type { IncomingMessage } from 'node:http';
import net, { type BlockList } from 'node:net';

const familyOf = (address: string) => (net.isIPv6(address) ? 'ipv6' : 'ipv4');

/**
 * The address of the client a request came from, as every reader of it takes it (the anonymous
 * budget, the line of its refusal): the connection's peer, or, when the peer is one of
 * `trustedProxies` (TRUSTED_PROXIES, config.ts), the address it forwarded for, as Express's
 * `trust proxy` and nginx's `set_real_ip_from` with `real_ip_recursive on` take it.
 * X-Forwarded-For is read from the right, each hop appending the address it was called from:
 * the first address that is no trusted proxy is the client, and what lies left of it was written
 * by the client itself, which could name anyone. An entry that is no IP address (a port, a
 * `unknown`, an empty one) ends the walk at the last trusted hop, whose own view can be read no
 * further. The BlockList matches an IPv4 peer written as IPv6 (`::ffff:10.0.0.5`, a gateway
 * listening on `::`) against IPv4 ranges. X-Real-IP is not read: one address, with no chain of
 * hops to check it against.
 */
export function clientAddress(req: Pick<IncomingMessage, 'socket' | 'headers'>, trustedProxies: BlockList | undefined): string {
  let address = req.socket.remoteAddress;
  if (!address) return 'unknown';
  if (!trustedProxies) return address;
  const header = req.headers['x-forwarded-for'];
  const hops = header === undefined ? [] : [header].flat().join(',').split(',');
  while (hops.length && trustedProxies.check(address, familyOf(address))) {
    const hop = (hops.pop() as string).trim();
    if (!net.isIP(hop)) break;
    address = hop;
  }
  return address;
}
