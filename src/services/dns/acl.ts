// Who gets answers: only clients in the configured networks (not an open resolver; an open
// resolver on a plant network is an amplification and cache-poisoning target). Everyone else
// gets REFUSED (RFC 1035 §4.1.1).

import { BlockList, isIP } from 'node:net';

const MAX_CACHED = 16_384;

export class ClientAcl {
  readonly #list = new BlockList();
  /** Verdicts per source address: a Map hit is ~5× cheaper than BlockList.check on the packet path. */
  #cache = new Map<string, boolean>();

  constructor(cidrs: readonly string[]) {
    for (const c of cidrs) {
      const [net, bits] = c.split('/') as [string, string];
      this.#list.addSubnet(net, Number(bits), isIP(net) === 6 ? 'ipv6' : 'ipv4');
    }
  }

  /** IPv4-mapped IPv6 sources (::ffff:a.b.c.d) match IPv4 rules. */
  allows(address: string): boolean {
    let v = this.#cache.get(address);
    if (v === undefined) {
      v = this.#list.check(address, address.includes(':') ? 'ipv6' : 'ipv4');
      if (this.#cache.size >= MAX_CACHED) this.#cache = new Map(); // spoofed sources cannot grow it
      this.#cache.set(address, v);
    }
    return v;
  }
}
