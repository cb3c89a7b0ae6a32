// Pure DHCPv4 codec (RFC 2131, 2132, 3046, 3396, 3925): no sockets, no files.
export * from './constants.ts';
export * from './options.ts';
export * from './packet.ts';
export * from './cwmp.ts';
