import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Where we are willing to send: a push endpoint is a URL a browser handed us, so it is untrusted
 * input that makes this server open connections. Only https (RFC 8030 Section 8 requires TLS), only
 * the known push services' hosts, never an address inside our own network (SSRF), never a redirect.
 */

/** Longest endpoint accepted. Real ones are 150 to 500 characters. */
export const MAX_ENDPOINT_LENGTH = 2048;

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // RFC 1918 private
  ['100.64.0.0', 10], // RFC 6598 carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata services live here)
  ['172.16.0.0', 12], // RFC 1918 private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16], // RFC 1918 private
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) blocked.addSubnet(net, prefix, 'ipv6');

/** Whether an IP address is loopback, private, link-local or otherwise not on the public internet. Pure. */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true;
  const lower = address.toLowerCase();
  // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) addresses reach the embedded IPv4 host.
  const mapped = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped?.[1]) return blocked.check(mapped[1], 'ipv4');
  const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hexMapped?.[1] && hexMapped[2]) {
    const hi = parseInt(hexMapped[1], 16);
    const lo = parseInt(hexMapped[2], 16);
    return blocked.check(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, 'ipv4');
  }
  return blocked.check(address, 'ipv6');
}

/** Whether a host equals an allowed host or is a subdomain of one (suffix on a dot boundary). Pure. */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return allowed.some((a) => {
    const x = a.toLowerCase();
    return h === x || h.endsWith(`.${x}`);
  });
}

export interface EndpointPolicy {
  /** Hosts (and their subdomains) endpoints may point at; WARDBELL_PUSH_ALLOWED_HOSTS. */
  allowedHosts: readonly string[];
  /** Testing only: accept loopback/private addresses; WARDBELL_PUSH_ALLOW_PRIVATE_NETWORKS. Default false. */
  allowPrivateNetworks: boolean;
}

export type EndpointCheck = { ok: true; url: URL } | { ok: false; reason: string };

/**
 * Checks an endpoint URL without any I/O: https, no credentials, no fragment, an allowed host, and
 * not an IP literal in a non-public range. DNS is checked separately ({@link checkEndpointDns}, and
 * on every connection by {@link guardedLookup}).
 */
export function checkEndpointUrl(raw: string, policy: EndpointPolicy): EndpointCheck {
  if (raw.length > MAX_ENDPOINT_LENGTH) return { ok: false, reason: `endpoint is longer than ${MAX_ENDPOINT_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'endpoint is not a URL' };
  }
  if (url.protocol !== 'https:') return { ok: false, reason: 'endpoint must use https (RFC 8030 Section 8)' };
  if (url.username || url.password) return { ok: false, reason: 'endpoint must not carry credentials' };
  if (url.hash) return { ok: false, reason: 'endpoint must not have a fragment' };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!hostAllowed(host, policy.allowedHosts)) {
    return { ok: false, reason: `endpoint host ${host} is not a known push service (allowed: ${policy.allowedHosts.join(', ') || 'none'})` };
  }
  if (isIP(host) && isNonPublicAddress(host) && !policy.allowPrivateNetworks) {
    return { ok: false, reason: 'endpoint points at a loopback, private or link-local address' };
  }
  return { ok: true, url };
}

export type Resolver = (host: string) => Promise<Array<{ address: string }>>;

/** The system resolver, every address of a host. */
export const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) => dnsLookup(host, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));

/**
 * Subscribe-time check that the endpoint's host does not resolve into our own network. A host that
 * does not exist is refused; a transient DNS failure is let through, because every connection is
 * checked again by {@link guardedLookup}.
 */
export async function checkEndpointDns(url: URL, policy: EndpointPolicy, resolve: Resolver = systemResolver): Promise<string | null> {
  if (policy.allowPrivateNetworks) return null;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return null; // checked by checkEndpointUrl
  try {
    const addresses = await resolve(host);
    if (addresses.some((a) => isNonPublicAddress(a.address))) return `endpoint host ${host} resolves to a loopback, private or link-local address`;
    return null;
  } catch (err) {
    const code = (err as { code?: string }).code;
    return code === 'ENOTFOUND' ? `endpoint host ${host} does not exist` : null;
  }
}

/** The error a guarded connection fails with; classified as `forbidden_address`. */
export const FORBIDDEN_ADDRESS = 'EWARDBELLFORBIDDENADDRESS';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** What the guard needs of a resolver: every address of a host (`dns.lookup` with `all: true`). */
export type LookupAll = (hostname: string, options: LookupOptions & { all: true }, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

/**
 * A `lookup` for the HTTPS agent that refuses non-public addresses at connect time: the address
 * checked is the one connected to, so a DNS answer that changes after subscribe time (DNS
 * rebinding) cannot steer a push into the internal network.
 */
export function guardedLookup(allowPrivateNetworks: boolean, lookup: LookupAll = dnsLookup) {
  return function wardbellPushLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
    lookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, []);
      const ok = allowPrivateNetworks ? addresses : addresses.filter((a) => !isNonPublicAddress(a.address));
      if (ok.length === 0) {
        const e: NodeJS.ErrnoException = new Error(`push endpoint host ${hostname} resolves only to non-public addresses`);
        e.code = FORBIDDEN_ADDRESS;
        return callback(e, []);
      }
      if (options.all) return callback(null, ok);
      const first = ok[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}
