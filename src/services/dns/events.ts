// Events of services/dns, merged into core/events.ts EventMap.

declare module '../../core/events.ts' {
  interface EventMap {
    /** The DNS sockets are bound (UDP and TCP share each port); tests read the ports from it. */
    'dns.listening': { addresses: { host: string; port: number }[] };
    /**
     * The upstream resolvers as seen from here — the nearest thing to WAN state DNS knows:
     * `up` false when every resolver is marked down (forwarded names get SERVFAIL), true when
     * one answers again. `down` lists the resolvers marked down.
     */
    'dns.upstream': { up: boolean; down: string[] };
  }
}

export {};
