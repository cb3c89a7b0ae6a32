// Vendor model profiles (models/README.md behaviours 1–4). Matched by OUI before the standard
// profiles; each still needs its voice-model signature on the device, so a vendor phone running
// a standard tree falls through to the standard profile.
//
// Filled in as the simulator's issue-3 families land; vendor leaves are written only where the
// device reports them (discovery), so an extra mapping never breaks a model that lacks it.

import type { ModelProfile } from './profiles.ts';

export const VENDOR_PROFILES: readonly ModelProfile[] = [];
