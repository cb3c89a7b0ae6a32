// protocols/stun: pure STUN codec (RFC 3489 + RFC 5389 + TR-069 Annex G) and the UDP connection
// request message. Buffer/text in, typed values out; no sockets.
export * from './constants.ts';
export * from './address.ts';
export * from './codec.ts';
export * from './integrity.ts';
export * from './udp-cr.ts';
