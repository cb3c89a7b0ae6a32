// Provisioning events (declaration merging into core/events.ts EventMap). Emitted by the ACS's
// provisioning wiring and by whoever replaces content or imports an inventory (API, central
// sync); the ACS listens to re-plan the affected phones.

declare module '../core/events.ts' {
  interface EventMap {
    /** A device's provisioning verdict was recorded. */
    'provisioning.device': { deviceId: string; state: string; ne107: string; reason: string; zone: string | null };
    /** The site's provisioning content was replaced (local directory, API or central bundle). */
    'provisioning.content.changed': { revision: number; source: 'local' | 'bundle' };
    /** Re-read the site's YAML directory (API → ACS), and how that went. */
    'provisioning.reload.request': { requestId: string };
    'provisioning.reload.result': { requestId: string; ok: boolean; detail: string; revision: number };
    /** An inventory import was stored (its batch id). */
    'provisioning.inventory.changed': { batch: string };
  }
}

export {};
