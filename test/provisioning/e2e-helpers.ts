// Shared set-up of the provisioning end-to-end tests: a site directory, the real app, a PBX,
// simulated phones of any family with the site's bootstrap credentials.
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOutpost, type Running, type StartOptions } from '../helpers/outpost.ts';
import { startPhone, type SimPhone, type SimPhoneOptions } from '../sim/index.ts';
import { SitePbx, type PbxAccount } from '../sim/pbx.ts';
import { deviceIdString } from '../../src/protocols/cwmp/version.ts';
import { ProvisioningDeviceRepo, type ProvDeviceRow } from '../../src/store/provisioning-devices.ts';
import { SITE_FILES } from './fixtures/site.ts';

export interface Site {
  o: Running;
  dir: string;
  pbx: SitePbx;
  phones: SimPhone[];
  phone(model: string, serial: string, extra?: Partial<SimPhoneOptions>): Promise<SimPhone>;
  row(p: SimPhone): ProvDeviceRow;
  stop(): Promise<void>;
}

export const idOf = (p: SimPhone): string =>
  deviceIdString({ oui: p.state.identity.oui, productClass: p.state.identity.productClass, serialNumber: p.serial });

export async function startSite(o: { files?: Record<string, string>; provisioning?: string; accounts?: PbxAccount[]; start?: StartOptions } = {}): Promise<Site> {
  const dir = mkdtempSync(join(tmpdir(), 'oppv-site-'));
  for (const [f, t] of Object.entries({ ...SITE_FILES, ...(o.files ?? {}) })) writeFileSync(join(dir, f), t);
  const extra = `provisioning:\n  directory: ${JSON.stringify(dir)}\n  sweepInterval: 200ms\n${o.provisioning ?? '  defaultZone: lobby\n'}`;
  const running = await startOutpost({ ...(o.start ?? {}), extra: `${extra}${o.start?.extra ?? ''}` });
  const pbx = new SitePbx({ proxy: 'pbx.site.lan', aliases: ['pbx2.site.lan', '10.20.0.5'], transport: 'UDP', accounts: o.accounts ?? [] });
  const phones: SimPhone[] = [];
  const site: Site = {
    o: running, dir, pbx, phones,
    async phone(model, serial, extraOpts = {}) {
      const p = await startPhone({
        model, serial, acsUrl: running.acsUrl, ca: running.ca!, username: running.bootstrap.username, password: running.bootstrap.password, pbx,
        ...(model === 'ex' ? { settings: { 'InternetGatewayDevice.ManagementServer.EnableCWMP': 'true' } } : {}),
        ...extraOpts,
      });
      phones.push(p);
      return p;
    },
    row: (p) => new ProvisioningDeviceRepo(running.app.store).get(idOf(p))!,
    async stop() {
      for (const p of phones) await p.stop().catch(() => {});
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return site;
}

/** Wait until `pred` holds (polling; the app's clock may be fake, this uses real time). */
export async function until<T>(fn: () => T | null | undefined | false, ms = 10_000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
