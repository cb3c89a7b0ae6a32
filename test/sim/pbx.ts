// The site PBX as the simulator's functional truth (issue 3, "Functional truth"): the SIP
// servers, transport and per-line credentials a phone must be configured with for its lines to
// register. A phone asks the PBX about each line whenever its Status is read; the answer is
// immediate (no SIP on the wire), so a template pushed by the ACS changes call service at once,
// as the field checklist demands ("a wrong SIP proxy leaves a hazardous zone without a hotline").
//
// Which settings a line registers with (same rule for TR-104 issue 1 VoiceProfile.SIP and issue 2
// SIP.Network, tr069-protocol.md §10.5–10.6):
//   server    = RegistrarServer if set, else ProxyServer; port = that server's port (0 = default
//               5060, 5061 for TLS); transport = ProxyServerTransport when a ProxyServer is set,
//               else RegistrarServerTransport (phones have one transport per account).
//   user      = AuthUserName, password = AuthPassword of the line (issue 2: of its SIP.Client).
// The PBX accepts the line when the server is its registrar or proxy (or an alias: IP and FQDN),
// the port and transport match, and the user/password pair is one of its accounts.

export type SipTransport = 'UDP' | 'TCP' | 'TLS';

export interface PbxAccount {
  /** SIP digest user name (AuthUserName). */
  user: string;
  password: string;
  /** Directory number / extension (informational). */
  number?: string;
  /** The phone (serial) and line number this account belongs to, for compliance (`expectedFor`). */
  serial?: string;
  line?: number;
}

export interface SitePbxDefinition {
  /** SIP domain (informational; not checked). */
  domain?: string;
  proxy: string;
  proxyPort?: number;
  /** Default: the proxy. */
  registrar?: string;
  registrarPort?: number;
  transport?: SipTransport;
  /** Other names of the same servers (IP address and FQDN). */
  aliases?: string[];
  accounts: PbxAccount[];
}

/** What one line of a phone is configured with. */
export interface LineSettings {
  enabled: boolean;
  server: string;
  port: number;
  transport: string;
  user: string;
  password: string;
}

export type RegistrationFailure = 'disabled' | 'misconfigured' | 'network' | 'auth';
export type RegistrationVerdict = { registered: true } | { registered: false; reason: RegistrationFailure };

const DEFAULT_PORT: Record<string, number> = { UDP: 5060, TCP: 5060, TLS: 5061 };

function portOf(port: number, transport: string): number {
  return port > 0 ? port : DEFAULT_PORT[transport.toUpperCase()] ?? 5060;
}

export class SitePbx {
  readonly definition: Readonly<SitePbxDefinition>;
  readonly #accounts = new Map<string, PbxAccount>();
  readonly #bySerial = new Map<string, PbxAccount[]>();
  /** server name (lower case) → port it listens on. */
  readonly #servers = new Map<string, number>();
  readonly #transport: SipTransport;

  constructor(def: SitePbxDefinition) {
    if (!def.proxy) throw new Error('pbx: proxy is required');
    this.definition = def;
    this.#transport = def.transport ?? 'UDP';
    const proxyPort = portOf(def.proxyPort ?? 0, this.#transport);
    const registrar = def.registrar ?? def.proxy;
    this.#servers.set(def.proxy.toLowerCase(), proxyPort);
    this.#servers.set(registrar.toLowerCase(), portOf(def.registrarPort ?? def.proxyPort ?? 0, this.#transport));
    for (const a of def.aliases ?? []) if (!this.#servers.has(a.toLowerCase())) this.#servers.set(a.toLowerCase(), proxyPort);
    for (const a of def.accounts) this.addAccount(a);
  }

  get transport(): SipTransport { return this.#transport; }
  get accountCount(): number { return this.#accounts.size; }

  /** Add (or replace) an account; fleets add one per phone line as they create phones. */
  addAccount(a: PbxAccount): void {
    if (!a.user) throw new Error('pbx: account without user');
    this.#accounts.set(a.user, a);
    if (a.serial !== undefined) {
      const list = this.#bySerial.get(a.serial) ?? [];
      list.push(a);
      list.sort((x, y) => (x.line ?? 0) - (y.line ?? 0));
      this.#bySerial.set(a.serial, list);
    }
  }

  /** The accounts a phone must have registered to be in service (empty: none assigned). */
  expectedFor(serial: string): readonly PbxAccount[] {
    return this.#bySerial.get(serial) ?? [];
  }

  /** Would a REGISTER with these settings succeed? */
  register(s: LineSettings): RegistrationVerdict {
    if (!s.enabled) return { registered: false, reason: 'disabled' };
    if (s.server === '' || s.user === '') return { registered: false, reason: 'misconfigured' };
    const port = this.#servers.get(s.server.toLowerCase());
    if (port === undefined || portOf(s.port, s.transport) !== port || s.transport.toUpperCase() !== this.#transport) {
      return { registered: false, reason: 'network' }; // no SIP server answers there
    }
    const acct = this.#accounts.get(s.user);
    if (!acct || acct.password !== s.password) return { registered: false, reason: 'auth' }; // 401/403 to REGISTER
    return { registered: true };
  }

  /** A definition read from JSON (the CLI's --pbx file); clear errors for missing fields. */
  static fromJson(text: string): SitePbx {
    const v = JSON.parse(text) as Partial<SitePbxDefinition>;
    if (typeof v.proxy !== 'string' || v.proxy === '') throw new Error('pbx file: "proxy" (string) is required');
    if (v.transport !== undefined && !['UDP', 'TCP', 'TLS'].includes(v.transport)) throw new Error('pbx file: "transport" must be UDP, TCP or TLS');
    if (v.accounts !== undefined && !Array.isArray(v.accounts)) throw new Error('pbx file: "accounts" must be an array');
    return new SitePbx({ ...v, proxy: v.proxy, accounts: v.accounts ?? [] });
  }
}

/**
 * Without a PBX there is no functional truth: a line counts as registered once it is enabled and
 * has a user and a server (what the first simulator version did).
 */
export function looseVerdict(s: LineSettings): RegistrationVerdict {
  if (!s.enabled) return { registered: false, reason: 'disabled' };
  return s.server !== '' && s.user !== '' ? { registered: true } : { registered: false, reason: 'misconfigured' };
}
