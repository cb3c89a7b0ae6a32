// Who gets answers: only clients in the configured networks (not an open resolver; an open
// resolver on a plant network is an amplification and cache-poisoning target). Everyone else
// gets REFUSED (RFC 1035 §4.1.1).

import { BlockList, isIP } from 'node:net';

export class ClientAcl {
  readonly #list = new BlockList();

  constructor(cidrs: readonly string[]) {
    for (const c of cidrs) {
      const [net, bits] = c.split('/') as [string, string];
      this.#list.addSubnet(net, Number(bits), isIP(net) === 6 ? 'ipv6' : 'ipv4');
    }
  }

  /** IPv4-mapped IPv6 sources (::ffff:a.b.c.d) match IPv4 rules. */
  allows(address: string): boolean {
    return this.#list.check(address, address.includes(':') ? 'ipv6' : 'ipv4');
  }
}
