// The catalogue of coded errors (STYLE habit 6, after Fastify's errors.js). Every error Outpost
// raises on purpose has a code here, an HTTP status, and whether its message is safe to show to
// an API client. docs/errors.md is generated from this list (`npm run docs:errors`) and a test
// keeps the two in step. Expected failures (a CPE fault, a declined lease) are data, not errors.

export interface ErrorDef {
  code: string;
  status: number;
  message: string;
  /** May the message (with its detail) be shown to an API client? */
  safe: boolean;
  /** What an operator should do about it. */
  hint: string;
}

const def = (code: string, status: number, message: string, safe: boolean, hint: string): ErrorDef =>
  ({ code, status, message, safe, hint });

// Grouped by the service name (STYLE habit 5: one name everywhere). Keep codes stable: they
// appear in logs, the API and health conditions.
export const ERRORS = {
  // core / config
  CONFIG_PARSE: def('CONFIG_PARSE', 400, 'Configuration file is not valid YAML', true, 'Fix the syntax error at the line given.'),
  CONFIG_INVALID: def('CONFIG_INVALID', 400, 'Configuration is invalid', true, 'Fix the field named in the message.'),
  CONFIG_READ: def('CONFIG_READ', 400, 'Configuration file cannot be read', true, 'Check the path and permissions.'),
  SERVICE_START: def('SERVICE_START', 500, 'A service failed to start', false, 'Read the log record for the named service.'),
  SERVICE_STOP_TIMEOUT: def('SERVICE_STOP_TIMEOUT', 500, 'A service did not stop in time', false, 'The process exits anyway; check the service for a hung socket.'),
  INTERNAL: def('INTERNAL', 500, 'Internal error', false, 'A bug: report it with the log record.'),
  // store
  STORE_OPEN: def('STORE_OPEN', 500, 'Database cannot be opened', false, 'Check the state directory, its permissions and free space.'),
  STORE_MIGRATION: def('STORE_MIGRATION', 500, 'Database migration failed', false, 'Restore the last backup; the database was left unchanged.'),
  STORE_NEWER_SCHEMA: def('STORE_NEWER_SCHEMA', 500, 'Database was written by a newer Outpost', true, 'Run the newer binary, or restore a backup made by this version.'),
  // api
  API_UNAUTHORIZED: def('API_UNAUTHORIZED', 401, 'Missing or invalid API token', true, 'Send Authorization: Bearer <token>.'),
  API_NOT_FOUND: def('API_NOT_FOUND', 404, 'No such resource', true, 'Check the identifier.'),
  API_BAD_REQUEST: def('API_BAD_REQUEST', 400, 'Invalid request', true, 'Fix the field named in the message.'),
  API_FORBIDDEN: def('API_FORBIDDEN', 403, 'Your role does not allow this', true, 'Ask a security admin for a role that includes the permission named.'),
  API_LOGIN_FAILED: def('API_LOGIN_FAILED', 401, 'Wrong user name or password', true, 'Check both; repeated failures lock the user and the address out for a while.'),
  API_LOCKED_OUT: def('API_LOCKED_OUT', 429, 'Too many failed logins: locked out for a while', true, 'Wait for the time in Retry-After; a security admin can see the attempts in the audit log.'),
  API_BUSY: def('API_BUSY', 503, 'Too many logins in progress', true, 'Retry in a second.'),
  API_INSECURE_LOGIN: def('API_INSECURE_LOGIN', 403, 'Password login needs HTTPS (or a loopback connection)', true, 'Enable api.tls or log in on the box itself.'),
  API_WEAK_PASSWORD: def('API_WEAK_PASSWORD', 400, 'The new password is not acceptable', true, 'Use at least 12 characters, not a well-known password, not containing the user name.'),
  API_CONFLICT: def('API_CONFLICT', 409, 'The change conflicts with the current state', true, 'Read the message: e.g. the last admin cannot be removed.'),
  API_TLS: def('API_TLS', 500, 'Management API TLS material cannot be loaded or generated', false, 'Check api.tls.cert/key paths and the state directory permissions.'),
  API_BODY_TOO_LARGE: def('API_BODY_TOO_LARGE', 413, 'Request body too large', true, 'Send a smaller body.'),
  // acs
  ACS_XML_MALFORMED: def('ACS_XML_MALFORMED', 400, 'SOAP body is not well-formed XML', true, 'The CPE sent broken XML; check its firmware.'),
  ACS_XML_FORBIDDEN: def('ACS_XML_FORBIDDEN', 400, 'XML with a DOCTYPE or entity declaration is refused', true, 'CWMP never needs a DTD; the sender is broken or hostile.'),
  ACS_XML_TOO_DEEP: def('ACS_XML_TOO_DEEP', 400, 'XML nesting exceeds the limit', true, 'The sender is broken or hostile.'),
  ACS_BODY_TOO_LARGE: def('ACS_BODY_TOO_LARGE', 413, 'CWMP request body exceeds the limit', true, 'Raise acs.maxBodyBytes only if a real CPE needs it.'),
  ACS_NOT_SOAP: def('ACS_NOT_SOAP', 400, 'Body is not a SOAP envelope with a CWMP message', true, 'The sender is not a CWMP agent.'),
  ACS_BAD_SESSION: def('ACS_BAD_SESSION', 400, 'Message does not fit the session state', true, 'The CPE must start a session with an Inform.'),
  ACS_AUTH_FAILED: def('ACS_AUTH_FAILED', 401, 'CPE authentication failed', true, 'Check the device credentials.'),
  ACS_LOCKED_OUT: def('ACS_LOCKED_OUT', 403, 'Too many failed authentications from this address', true, 'Wait for the lockout to expire; check for a misconfigured or hostile device.'),
  ACS_BUSY: def('ACS_BUSY', 503, 'Too many concurrent sessions', true, 'The CPE retries after Retry-After; raise acs.maxSessions if the box has headroom.'),
  ACS_CR_FAILED: def('ACS_CR_FAILED', 502, 'Connection request failed', true, 'The phone is unreachable or refused the credentials; it will be contacted at its next inform.'),
  ACS_TASK_INVALID: def('ACS_TASK_INVALID', 400, 'Task is not a valid RPC', true, 'Fix the field named in the message.'),
  ACS_FILE_NOT_FOUND: def('ACS_FILE_NOT_FOUND', 404, 'No such file', true, 'Check the file name in the firmware or upload store.'),
  ACS_UPLOAD_TOKEN: def('ACS_UPLOAD_TOKEN', 403, 'Upload token is missing, unknown or used', true, 'Uploads are accepted only for a queued Upload task.'),
  ACS_TLS: def('ACS_TLS', 500, 'ACS TLS material cannot be loaded or generated', false, 'Check acs.tls paths, or let Outpost generate them.'),
  // dhcp
  DHCP_POOL_EXHAUSTED: def('DHCP_POOL_EXHAUSTED', 503, 'DHCP pool exhausted', true, 'Enlarge the pool or shorten the lease time; release stale leases.'),
  DHCP_PACKET_MALFORMED: def('DHCP_PACKET_MALFORMED', 400, 'Malformed DHCP packet', true, 'Dropped; a broken or hostile client.'),
  DHCP_BIND: def('DHCP_BIND', 500, 'DHCP socket cannot be bound', true, 'Check that nothing else listens on the DHCP port and that Outpost has CAP_NET_BIND_SERVICE.'),
  DHCP_HELPER: def('DHCP_HELPER', 500, 'DHCP interface helper is not running', true, 'Direct scopes get no service until it restarts; check dhcp.helper and the log for its error.'),
  DHCP_LEASE_WRITE: def('DHCP_LEASE_WRITE', 500, 'DHCP lease cannot be written', false, 'No ACK is sent until leases are durable; check disk space and the state directory.'),
  // dns
  DNS_BIND: def('DNS_BIND', 500, 'DNS socket cannot be bound', true, 'Check that nothing else listens on the DNS port and that Outpost has CAP_NET_BIND_SERVICE.'),
  DNS_UPSTREAM_DOWN: def('DNS_UPSTREAM_DOWN', 503, 'Upstream resolvers unreachable', true, 'Local names still answer; forwarded names get SERVFAIL until the WAN returns.'),
  // stun
  STUN_BIND: def('STUN_BIND', 500, 'STUN socket cannot be bound', true, 'Check that nothing else listens on the STUN port.'),
  STUN_PACKET_MALFORMED: def('STUN_PACKET_MALFORMED', 400, 'Malformed STUN packet', true, 'Dropped; a broken or hostile client.'),
  STUN_INTEGRITY: def('STUN_INTEGRITY', 401, 'STUN MESSAGE-INTEGRITY missing or wrong', true, 'Check the device STUN credentials.'),
  // sync (central sync, signed bundles, USB site config) and the reference central
  SYNC_BUNDLE_MALFORMED: def('SYNC_BUNDLE_MALFORMED', 400, 'Bundle is not a valid bundle document', true, 'Rebuild it with outpost bundle build; the last good bundle stays in force.'),
  SYNC_BUNDLE_SIGNATURE: def('SYNC_BUNDLE_SIGNATURE', 400, 'Bundle signature is missing, from another key, or does not match', true, 'Sign with the key whose public half is in the site config (sync.publicKey); the last good bundle stays in force.'),
  SYNC_BUNDLE_HASH: def('SYNC_BUNDLE_HASH', 400, 'Bundle content does not match its signed hashes', true, 'The bundle was changed after signing or damaged in transit; publish it again.'),
  SYNC_BUNDLE_SITE: def('SYNC_BUNDLE_SITE', 400, 'Bundle is for another site', true, 'Publish the bundle built for this site id.'),
  SYNC_BUNDLE_ROLLBACK: def('SYNC_BUNDLE_ROLLBACK', 409, 'Bundle version is not newer than the one in force', true, 'Versions only go up: build the bundle with a higher version.'),
  SYNC_BUNDLE_EXPIRED: def('SYNC_BUNDLE_EXPIRED', 400, 'Bundle has expired', true, 'Publish a fresh bundle; phones keep being served from the bundle in force.'),
  SYNC_BUNDLE_CONTENT: def('SYNC_BUNDLE_CONTENT', 400, 'Bundle content is refused by the provisioning model', true, 'Fix the file and line named in the message and publish a new version.'),
  SYNC_BUNDLE_KEY: def('SYNC_BUNDLE_KEY', 400, 'Bundle key cannot be read', true, 'Use outpost keys generate; a public key is ed25519:<base64url>.'),
  SYNC_CENTRAL_AUTH: def('SYNC_CENTRAL_AUTH', 502, 'Central refused the site credentials', true, 'Check sync.central.token against the site entry at central.'),
  SYNC_FIRMWARE: def('SYNC_FIRMWARE', 502, 'Firmware image failed its size or SHA-256 check', true, 'The image is fetched again; check the catalogue entry and the image at central.'),
  SYNC_SEALED: def('SYNC_SEALED', 400, 'Sealed secret cannot be opened', true, 'Seal it again with this box key (outpost config box-key, then outpost config seal).'),
  CENTRAL_UNAUTHORIZED: def('CENTRAL_UNAUTHORIZED', 401, 'Missing or invalid site or admin token', true, 'Send Authorization: Bearer <token> for this site.'),
  CENTRAL_NOT_FOUND: def('CENTRAL_NOT_FOUND', 404, 'No such bundle or file', true, 'Publish the site bundle into the bundle directory.'),
  CENTRAL_BAD_REPORT: def('CENTRAL_BAD_REPORT', 400, 'Report batch is invalid', true, 'Fix the field named in the message.'),
} as const satisfies Record<string, ErrorDef>;

export type ErrorCode = keyof typeof ERRORS;

export class OutpostError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly safe: boolean;
  readonly detail: string | undefined;

  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown }) {
    const d = ERRORS[code];
    super(detail ? `${d.message}: ${detail}` : d.message, options);
    this.name = 'OutpostError';
    this.code = code;
    this.status = d.status;
    this.safe = d.safe;
    this.detail = detail;
  }

  /** What may be shown to a client. */
  toJSON(): { code: string; message: string } {
    return { code: this.code, message: this.safe ? this.message : ERRORS[this.code].message };
  }
}

export function isOutpostError(e: unknown, code?: ErrorCode): e is OutpostError {
  return e instanceof OutpostError && (code === undefined || e.code === code);
}

/** The Markdown table docs/errors.md must contain (kept in step by test/errors-doc.test.ts). */
export function errorsMarkdown(): string {
  const rows = Object.values(ERRORS).map((e: ErrorDef) =>
    `| \`${e.code}\` | ${e.status} | ${e.message} | ${e.safe ? 'yes' : 'no'} | ${e.hint} |`);
  return [
    '# Error codes',
    '',
    'Generated from `src/core/errors.ts` by `npm run docs:errors`; a test fails when the two differ.',
    'The code appears in logs (`err.code`), API error bodies (`{"code": …}`) and health conditions.',
    '',
    '| code | HTTP | message | shown to clients | what to do |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
