import type { Migration } from './index.ts';

// Owned by services/stun (ids 200–299).
export const stunMigrations: Migration[] = [];
