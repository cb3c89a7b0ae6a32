// DHCP leases (owned by services/dhcp; read by services/dns for PTR/A records and by the ACS to
// link a phone to its lease and switch port). One row per address (migrations 100, 101): the
// address's current or last holder. The DHCP service writes through `save` inside
// store.commit(), so a lease is on disk before its ACK leaves.

import type { Store } from './index.ts';
import type { Db, Statement } from './db.ts';

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
  /** The DHCP scope the address belongs to. */
  scope: string;
}

interface Row {
  ip: string; ip_num: number; scope: string; mac: string; client_id: string | null; hostname: string | null;
  vendor_class: string | null; oui: string | null; serial: string | null; product_class: string | null;
  circuit_id: string | null; remote_id: string | null; giaddr: string | null; state: Lease['state'];
  expires_at: number; updated_at: number;
}

const fromRow = (r: Row): Lease => ({
  ip: r.ip, mac: r.mac, clientId: r.client_id, hostname: r.hostname, vendorClass: r.vendor_class,
  oui: r.oui, serial: r.serial, productClass: r.product_class, circuitId: r.circuit_id, remoteId: r.remote_id,
  giaddr: r.giaddr, state: r.state, expiresAt: r.expires_at, updatedAt: r.updated_at, scope: r.scope,
});

export function ipNum(ip: string): number {
  const p = ip.split('.');
  return ((Number(p[0]) << 24) >>> 0) + (Number(p[1]) << 16) + (Number(p[2]) << 8) + Number(p[3]);
}

export interface LeaseQuery {
  state?: Lease['state'];
  mac?: string;
  scope?: string;
  limit?: number;
  offset?: number;
}

export class LeaseRepo {
  readonly store: Store;
  readonly #save: (l: Lease) => void;
  readonly #byIp: Statement;
  readonly #byMac: Statement;
  readonly #active: Statement;
  readonly #all: Statement;

  constructor(store: Store) {
    this.store = store;
    const db = store.db;
    this.#save = leaseUpsert(db);
    this.#byIp = db.prepare('SELECT * FROM dhcp_leases WHERE ip_num = ?');
    this.#byMac = db.prepare('SELECT * FROM dhcp_leases WHERE mac = ? ORDER BY updated_at DESC');
    this.#active = db.prepare("SELECT * FROM dhcp_leases WHERE state = 'bound' AND expires_at > ? ORDER BY ip_num");
    this.#all = db.prepare('SELECT * FROM dhcp_leases ORDER BY ip_num');
  }

  /** Bound, unexpired leases. */
  active(now: number): Lease[] {
    return (this.#active.all(now) as Row[]).map(fromRow);
  }

  findByIp(ip: string): Lease | null {
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return null;
    const r = this.#byIp.get(ipNum(ip)) as Row | undefined;
    return r ? fromRow(r) : null;
  }

  /** Every address this MAC holds or held, newest first. */
  findByMac(mac: string): Lease[] {
    return (this.#byMac.all(mac.toLowerCase()) as Row[]).map(fromRow);
  }

  /** Every row (the DHCP service loads them at start). */
  all(): Lease[] {
    return (this.#all.all() as Row[]).map(fromRow);
  }

  list(q: LeaseQuery = {}): Lease[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.state) { where.push('state = ?'); args.push(q.state); }
    if (q.mac) { where.push('mac = ?'); args.push(q.mac.toLowerCase()); }
    if (q.scope) { where.push('scope = ?'); args.push(q.scope); }
    const sql = `SELECT * FROM dhcp_leases ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY ip_num LIMIT ? OFFSET ?`;
    args.push(Math.min(q.limit ?? 1000, 10_000), q.offset ?? 0);
    return (this.store.db.prepare(sql).all(...args) as Row[]).map(fromRow);
  }

  /** Insert or replace the row of lease.ip. Synchronous: call inside store.commit(). */
  save(l: Lease): void {
    this.#save(l);
  }
}

/** A lease as a flat tuple in column order (cheap to post to the lease writer thread). */
export type LeaseTuple = [string, number, string, string, string | null, string | null, string | null, string | null,
  string | null, string | null, string | null, string | null, string | null, Lease['state'], number, number];

export function leaseTuple(l: Lease): LeaseTuple {
  return [l.ip, ipNum(l.ip), l.scope, l.mac, l.clientId, l.hostname, l.vendorClass, l.oui, l.serial, l.productClass,
    l.circuitId, l.remoteId, l.giaddr, l.state, l.expiresAt, l.updatedAt];
}

/** The upsert of one lease row on a connection (LeaseRepo.save, and the lease writer thread). */
export function leaseUpsert(db: Db): (l: Lease) => void {
  const save = tupleUpsert(db);
  return (l) => save(leaseTuple(l));
}

export function tupleUpsert(db: Db): (t: LeaseTuple) => void {
  const st: Statement = db.prepare(`INSERT INTO dhcp_leases (ip, ip_num, scope, mac, client_id, hostname, vendor_class, oui, serial,
        product_class, circuit_id, remote_id, giaddr, state, expires_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(ip_num) DO UPDATE SET ip = excluded.ip, scope = excluded.scope, mac = excluded.mac, client_id = excluded.client_id,
        hostname = excluded.hostname, vendor_class = excluded.vendor_class, oui = excluded.oui, serial = excluded.serial,
        product_class = excluded.product_class, circuit_id = excluded.circuit_id, remote_id = excluded.remote_id,
        giaddr = excluded.giaddr, state = excluded.state, expires_at = excluded.expires_at, updated_at = excluded.updated_at`);
  return (t) => { st.run(t); };
}
