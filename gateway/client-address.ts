import type { IncomingMessage } from 'node:http';
import net, { type BlockList } from 'node:net';

const familyOf = (address: string) => (net.isIPv6(address) ? 'ipv6' : 'ipv4');

/**
 * The address an X-Forwarded-For entry names, or undefined for one that names none: an IP
 * address, or an IPv4 or a bracketed IPv6 address with the port it was called from
 * (`203.0.113.7:41234`, `[2001:db8::7]:41234`), as Azure Application Gateway and some AWS load
 * balancers write it; the address is what is counted. An IPv6 address without brackets has no
 * port: its last group would be taken for one.
 */
function hopAddress(entry: string): string | undefined {
  if (net.isIP(entry)) return entry;
  const [, ipv4, ipv6, port] = /^(?:([\d.]+)|\[([^\]]+)\]):(\d{1,5})$/.exec(entry) ?? [];
  if (port === undefined || Number(port) > 65535) return undefined;
  if (ipv4 !== undefined) return net.isIPv4(ipv4) ? ipv4 : undefined;
  return net.isIPv6(ipv6) ? ipv6 : undefined;
}

/**
 * The address of the client a request came from, as every reader of it takes it (the anonymous
 * budget, the line of its refusal): the connection's peer, or, when the peer is one of
 * `trustedProxies` (TRUSTED_PROXIES, config.ts), the address it forwarded for, as Express's
 * `trust proxy` and nginx's `set_real_ip_from` with `real_ip_recursive on` take it.
 * X-Forwarded-For is read from the right, each hop appending the address it was called from:
 * the first address that is no trusted proxy is the client, and what lies left of it was written
 * by the client itself, which could name anyone. An entry that names no IP address (`hopAddress`:
 * `unknown`, a host name, an empty one) ends the walk at the last trusted hop, whose own view can be read no
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
    const hop = hopAddress((hops.pop() as string).trim());
    if (!hop) break;
    address = hop;
  }
  return address;
}
