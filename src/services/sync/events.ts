// Events of the sync service (declaration merging into core/events.ts EventMap).
import type { WanState } from './wan.ts';

declare module '../../core/events.ts' {
  interface EventMap {
    /** A verified bundle is in force (applied in one transaction). */
    'sync.bundle.applied': { version: number; source: 'central' | 'usb'; expired: boolean };
    /** A bundle was refused; the one in force stays. */
    'sync.bundle.rejected': { source: 'central' | 'usb'; code: string; message: string };
    /** The WAN state changed. */
    'sync.wan': { state: WanState; since: string; reason: string | null };
    /** Someone (the API) asks for a sync cycle now. */
    'sync.run': { requestId: string };
    /** A sync cycle (pull, reports, firmware) ended. */
    'sync.cycle': { ok: boolean; wan: WanState; bundleChanged: boolean; reported: number };
    /** A firmware image is verified and in the firmware store. */
    'sync.firmware.ready': { file: string; version: string; sha256: string };
    /**
     * Anyone → the report outbox (inventory, compliance, event, audit or a newer kind). For a
     * record that must be atomic with a store change, use OutboxRepo.enqueue inside store.commit.
     */
    'sync.report': { kind: string; payload: unknown };
  }
}

export {};
