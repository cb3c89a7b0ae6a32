// What goes into the report outbox from this process's events (docs/sync.md "Reports"):
//   inventory   a device's identity and facts, at its BOOTSTRAP/BOOT sessions
//   event       BOOTSTRAP (factory reset / new phone) and BOOT sessions, transfers, bundles
//               applied or refused, WAN outages (start and end)
//   compliance  each change of a device's provisioning verdict ('provisioning.device')
//   audit       the audit log (store/audit.ts) past its reported cursor, at each reconcile
// Periodic informs are not reported one by one: inventory and compliance carry the state.

import type { EventBus } from '../../core/events.ts';
import type { Logger } from '../../core/log.ts';
import type { Store } from '../../store/index.ts';
import { DeviceRepo } from '../../store/devices.ts';
import { AuditRepo } from '../../store/audit.ts';
import type { OutboxRepo } from '../../store/sync-outbox.ts';
import { checkPayload, COMPLIANCE_STATES, MAX_PAYLOAD_BYTES } from '../../protocols/bundle/index.ts';
import './events.ts';
import '../../provisioning/events.ts';

export interface Feed {
  /** Validate and queue one record durably (group-committed). Invalid records are logged and dropped. */
  report(kind: string, payload: unknown): Promise<void>;
  /** Queue compliance records for every provisioning state not yet reported. */
  reconcile(): Promise<number>;
  stop(): void;
}

const complianceState = (s: string): string => ((COMPLIANCE_STATES as readonly string[]).includes(s) ? s : 'unknown');

export function startFeed(events: EventBus, store: Store, outbox: OutboxRepo, log: Logger): Feed {
  const devices = new DeviceRepo(store);
  const limited = log.limited('sync.feed');
  const report = async (kind: string, payload: unknown): Promise<void> => {
    const c = checkPayload(kind, payload);
    const size = JSON.stringify(payload ?? null).length;
    if (!c.ok || size > MAX_PAYLOAD_BYTES) {
      limited.warn({ kind, problem: c.ok ? `payload of ${size} bytes` : c.message }, 'report record refused');
      return;
    }
    try {
      await store.commit(() => outbox.enqueue(kind, payload));
    } catch (err) {
      limited.error({ err, kind }, 'report record could not be queued');
    }
  };
  const offs = [
    events.on('sync.report', (r) => void report(r.kind, r.payload)),
    events.on('acs.session.start', (s) => {
      const boot = s.events.filter((e) => e === '0 BOOTSTRAP' || e === '1 BOOT');
      if (boot.length === 0) return;
      const d = devices.get(s.deviceId);
      if (d) {
        void report('inventory', {
          deviceId: d.id, oui: d.oui, productClass: d.productClass, serial: d.serial, manufacturer: d.manufacturer,
          softwareVersion: d.softwareVersion, ip: d.remoteIp,
        });
      }
      void report('event', { type: boot.includes('0 BOOTSTRAP') ? 'device.bootstrap' : 'device.boot', deviceId: s.deviceId, detail: s.events.join(', ').slice(0, 2000) });
    }),
    // A verdict is recorded at every session; central needs only the changes (reconcile() also
    // catches changes made without an event, e.g. a phone replaced at its position).
    events.on('provisioning.device', (d) => {
      void store.commit(() => outbox.complianceChanged(d.deviceId, complianceState(d.state), `${d.zone ? `zone ${d.zone}: ` : ''}${d.reason}`))
        .catch((err: unknown) => limited.error({ err }, 'compliance record could not be queued'));
    }),
    events.on('acs.transfer.complete', (t) => void report('event', { type: 'device.transfer', deviceId: t.deviceId, detail: `commandKey=${t.commandKey} fault=${t.faultCode}` })),
    events.on('sync.bundle.applied', (b) => void report('event', { type: 'sync.bundle.applied', detail: `version ${b.version} from ${b.source}${b.expired ? ' (expired)' : ''}` })),
    events.on('sync.bundle.rejected', (b) => void report('event', { type: 'sync.bundle.rejected', detail: `${b.code}: ${b.message}`.slice(0, 2000) })),
    events.on('sync.wan', (w) => void report('event', { type: `sync.wan.${w.state}`, detail: `since ${w.since}${w.reason ? `: ${w.reason}` : ''}`.slice(0, 2000) })),
  ];
  const audit = new AuditRepo(store);
  // The audit log is its own durable source: entries past the cursor are queued in the same
  // transaction that moves the cursor, so each goes up exactly once, however long the WAN was down.
  const queueAudit = () => store.commit(() => {
    const rows = audit.unreported(1000);
    for (const a of rows) {
      outbox.enqueue('audit', { actor: a.actor, action: a.action, ...(a.target ? { target: a.target } : {}), ...(a.source ? { from: a.source } : {}), result: a.result, hash: a.hash }, Date.parse(a.at));
    }
    if (rows.length) audit.markReported(rows[rows.length - 1]!.seq);
    return rows.length;
  });
  const reconcile = async () => {
    let n = await store.commit(() => outbox.reconcileCompliance(complianceState));
    for (let q = await queueAudit(); q > 0; q = q === 1000 ? await queueAudit() : 0) n += q;
    return n;
  };
  return { report, reconcile, stop: () => offs.forEach((off) => off()) };
}
