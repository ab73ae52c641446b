import { BlockList, isIP } from 'node:net';

/**
 * Which peers are the deployment's own proxies (`WARDBELL_TRUSTED_PROXIES`: addresses and CIDR
 * ranges). Only what they say about a request (its `x-request-id`, later its client address) is
 * believed; anyone else could write those headers.
 */
export interface TrustedProxies {
  has(address: string | undefined): boolean;
}

/** Parses the list; throws on an entry that is neither an address nor a CIDR range. */
export function trustedProxies(entries: readonly string[]): TrustedProxies {
  const list = new BlockList();
  for (const entry of entries) {
    const [addr, bits, ...rest] = entry.split('/');
    const family = addr ? isIP(addr) : 0;
    if (!addr || family === 0 || rest.length) throw new Error(`not an address or CIDR range: ${entry}`);
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(addr, type);
    else {
      const prefix = Number(bits);
      if (!/^\d{1,3}$/.test(bits) || prefix > (family === 6 ? 128 : 32)) throw new Error(`not a CIDR range: ${entry}`);
      list.addSubnet(addr, prefix, type);
    }
  }
  const empty = entries.length === 0;
  return {
    has(address) {
      if (empty || !address) return false;
      // An IPv4 peer on a dual-stack socket shows as ::ffff:a.b.c.d.
      const plain = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
      const family = isIP(plain);
      return family !== 0 && list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
    },
  };
}

/**
 * An address as a key: IPv4 dotted, IPv6 in lowercase, an IPv4 peer on a dual-stack socket
 * (`::ffff:a.b.c.d`) as IPv4; a port (`1.2.3.4:5678`, `[::1]:80`) or zone dropped. Undefined when
 * it is not an address.
 */
export function normalizeAddress(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let s = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(s);
  if (bracketed?.[1] !== undefined) s = bracketed[1];
  else if (/^[\d.]+:\d{1,5}$/.test(s)) s = s.slice(0, s.lastIndexOf(':'));
  const zone = s.indexOf('%');
  if (zone > 0) s = s.slice(0, zone);
  const family = isIP(s);
  if (family === 4) return s;
  if (family !== 6) return undefined;
  s = s.toLowerCase();
  return s.startsWith('::ffff:') && isIP(s.slice(7)) === 4 ? s.slice(7) : s;
}

/**
 * The client's address: the socket peer, unless the peer is one of the deployment's proxies; then
 * the right-most entry of `X-Forwarded-For` that is not one of them. Each proxy appends the address
 * it was reached from, so that entry is what the last trusted proxy saw; anything left of it was
 * written by the client and is never believed. An entry that is not an address ends the walk at the
 * trusted hop to its right; a list of trusted proxies only gives its left-most entry.
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | undefined, proxies: TrustedProxies): string | undefined {
  const from = normalizeAddress(peer);
  if (from === undefined || forwardedFor === undefined || !proxies.has(from)) return from;
  let hop = from;
  const entries = forwardedFor.split(',');
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = normalizeAddress(entries[i]);
    if (entry === undefined) return hop;
    if (!proxies.has(entry)) return entry;
    hop = entry;
  }
  return hop;
}
