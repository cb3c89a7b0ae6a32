// Small address facts shared by the listeners.

/** A loopback address or name: a listener on it, or a client connecting from it, is this box itself.
 *  Takes IPv4-mapped IPv6 (`::ffff:127.0.0.1`, how a dual-stack socket reports an IPv4 peer). */
export function isLoopback(host: string): boolean {
  return host === '::1' || host === 'localhost' || /^(::ffff:)?127\./.test(host);
}
