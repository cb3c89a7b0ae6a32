// DHCP leases (owned by services/dhcp; read by services/dns for PTR/A records and by the ACS to
// link a phone to its lease and switch port). The DHCP issue fills in the implementation; the
// shape below is the contract the other services read.

import type { Store } from './index.ts';

export interface Lease {
  ip: string;
  mac: string;               // aa:bb:cc:dd:ee:ff
  clientId: string | null;   // hex
  hostname: string | null;
  vendorClass: string | null;
  /** Option 125 (enterprise 3561) identity, when the client sent it. */
  oui: string | null;
  serial: string | null;
  productClass: string | null;
  /** Option 82 sub-options, as text when printable else hex. */
  circuitId: string | null;
  remoteId: string | null;
  giaddr: string | null;
  state: 'offered' | 'bound' | 'released' | 'declined' | 'expired';
  expiresAt: number;         // epoch ms
  updatedAt: number;
}

export class LeaseRepo {
  readonly store: Store;
  constructor(store: Store) {
    this.store = store;
  }
  /** Bound, unexpired leases. */
  active(_now: number): Lease[] {
    return [];
  }
  findByIp(_ip: string): Lease | null {
    return null;
  }
}
