import type { Migration } from './index.ts';

// Credential rotation: new per-device credentials are "pending" until the phone confirms the
// SetParameterValues that installs them; a phone that already uses them (answer lost) is still
// let in, and its pending credentials become the active ones (services/acs, credentials.ts).
export const m002: Migration = {
  id: 2,
  name: 'devices: pending rotated credentials',
  sql: `
ALTER TABLE devices ADD COLUMN pending_username TEXT;
ALTER TABLE devices ADD COLUMN pending_password_enc TEXT;
ALTER TABLE devices ADD COLUMN pending_cr_username TEXT;
ALTER TABLE devices ADD COLUMN pending_cr_password_enc TEXT;
`,
};
