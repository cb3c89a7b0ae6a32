// Events of services/stun, merged into core/events.ts EventMap ('stun.cr.send' and
// 'stun.cr.result' are declared there: the ACS sends, this service answers).
import type { StunBinding } from '../../store/stun-bindings.ts';

declare module '../../core/events.ts' {
  interface EventMap {
    /**
     * A CPE's binding (TR-069 Annex G, from a Binding Request carrying CONNECTION-REQUEST-BINDING)
     * is new, changed (NAT remapped: `changed`), seen again after it had expired, or now belongs
     * to another device (its USERNAME's credentials were stored after it was first seen). The ACS
     * records it and sends UDP connection requests to address:port.
     */
    'stun.binding': {
      /** USERNAME with padding stripped; null when the request had none (then keyed by address). */
      username: string | null;
      /** From the STUN credentials of that USERNAME, when known. */
      deviceId: string | null;
      address: string;
      port: number;
      changed: boolean;
      /** The previous public address:port when `changed`. */
      previous: { address: string; port: number } | null;
      /** MESSAGE-INTEGRITY verified with the device's STUN password. */
      authenticated: boolean;
      protocol: StunBinding['protocol'];
    };
  }
}

export {};
