import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';

/** Whether a process with this id still runs (signal 0 tests for it without touching it). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The ports the system hands out as the local end of outgoing connections (Linux's
 * ip_local_port_range; 32768-60999 by default), which a port left free for a moment may be given
 * to: a port the kernel chose with listen(0) comes from that range, and a subgraph's or MariaDB's
 * outgoing connection took one before the server meant for it bound it (EADDRINUSE, seen in CI).
 */
function ephemeralPorts(): { low: number; high: number } {
  try {
    const [low, high] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return { low, high };
  } catch {
    // Not Linux: the range IANA gives, which macOS and Windows use.
  }
  return { low: 49152, high: 65535 };
}

function listening(port: number): Promise<net.Server | null> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(null));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/**
 * Ports free on 127.0.0.1 a moment ago, for servers a test starts as separate processes: drawn at
 * random below the ephemeral range, which no outgoing connection is given, each bound once to
 * see that it is free; from the kernel (listen(0)) where that range leaves too few below it.
 */
export async function sparePorts(count: number): Promise<number[]> {
  const lowest = 10_000;
  const { low } = ephemeralPorts();
  const servers: net.Server[] = [];
  for (let tries = 0; servers.length < count && tries < count * 20 && low - lowest > 1_000; tries += 1) {
    const server = await listening(lowest + Math.floor(Math.random() * (low - lowest)));
    if (server) servers.push(server);
  }
  while (servers.length < count) servers.push((await listening(0))!);
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** Whether a new TCP connection to the port on `host` (127.0.0.1 unless given) is refused: nothing listens there. */
export function connectionRefused(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(true));
  });
}

/** Waits until `check` holds, looking every 20 ms; throws naming `what` past `ms`. */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * NODE_OPTIONS for a process (and those it starts) under which no DNS server answers for `host`,
 * as with the network's resolver down: each lookup of it fails EAI_AGAIN, through dns.lookup
 * (what net's listen and connect call) and dns/promises alike; other names resolve as ever. The
 * preload it requires is written into `directory`.
 */
export function dnsNotAnsweringFor(host: string, directory: string): string {
  const preload = `${directory}/dns-not-answering.js`;
  fs.writeFileSync(
    preload,
    `const dns = require('node:dns');\n` +
      `const host = ${JSON.stringify(host)};\n` +
      `const failure = () => Object.assign(new Error('getaddrinfo EAI_AGAIN ' + host), { code: 'EAI_AGAIN', errno: -3001, syscall: 'getaddrinfo', hostname: host });\n` +
      `const lookup = dns.lookup;\n` +
      `dns.lookup = function (name, options, callback) {\n` +
      `  if (name !== host) return lookup.apply(this, arguments);\n` +
      `  const done = typeof options === 'function' ? options : callback;\n` +
      `  process.nextTick(() => done(failure()));\n` +
      `};\n` +
      `const lookupPromised = dns.promises.lookup;\n` +
      `dns.promises.lookup = async (name, options) => { if (name === host) throw failure(); return lookupPromised(name, options); };\n`,
  );
  return `--require ${preload}`;
}
