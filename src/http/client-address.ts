// Client addresses: uWebSockets.js hands IPv6 sockets' peers as 8 full groups
// (an IPv4 client of a `::` listener is ::ffff:a.b.c.d); net.BlockList matches
// both spellings and CIDR ranges, so trusted lists can say `127.0.0.1` or `10.0.0.0/8`.
import { BlockList, isIP } from 'node:net';
import { Errors } from '../errors';

export interface AddressSet {
  has(address: string): boolean;
}

const CACHE_MAX = 10_000;

/** Builds a set from addresses and CIDR ranges; `label` names the setting in the error for a bad entry. */
export function addressSet(entries: readonly string[], label: string): AddressSet {
  const list = new BlockList();
  entries.forEach((entry, i) => {
    const [addr, bits, extra] = entry.split('/');
    const family = isIP(addr ?? '');
    const prefix = bits === undefined ? undefined : Number(bits);
    const maxBits = family === 6 ? 128 : 32;
    if (
      family === 0 ||
      extra !== undefined ||
      (prefix !== undefined && !(Number.isInteger(prefix) && prefix >= 0 && prefix <= maxBits))
    ) {
      throw Errors.config(`${label}[${i}] must be an IP address or CIDR range (got ${JSON.stringify(entry)})`);
    }
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(addr!, type);
    else list.addSubnet(addr!, prefix, type);
  });
  // BlockList.check costs microseconds; the same few clients call again and again.
  const cache = new Map<string, boolean>();
  return {
    has(address: string): boolean {
      let hit = cache.get(address);
      if (hit === undefined) {
        const family = isIP(address);
        hit = family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
        if (cache.size >= CACHE_MAX) cache.clear();
        cache.set(address, hit);
      }
      return hit;
    },
  };
}

export const LOOPBACK = ['127.0.0.0/8', '::1'];
