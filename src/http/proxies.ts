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
