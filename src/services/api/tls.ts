// HTTPS for the management API (api.tls): `auto` serves HTTPS unless the listener is loopback.
// The certificate is mgmt.<site domain> + the listen address, from the site CA (services/tls.ts),
// so a browser that trusts the site CA for the ACS trusts the management UI too.
import { OutpostError } from '../../core/errors.ts';
import type { ApiConfig, Config } from '../../core/config/schema.ts';
import { isLoopback } from '../../core/net.ts';
import { listenerNames, loadOrIssueCertificate, type TlsMaterial } from '../tls.ts';

export function apiTls(cfg: ApiConfig, root: Config, stateDir: string): TlsMaterial | null {
  const on = cfg.tls.mode === 'on' || (cfg.tls.mode === 'auto' && !isLoopback(cfg.listen.host));
  if (!on) return null;
  if (!!cfg.tls.cert !== !!cfg.tls.key) throw new OutpostError('API_TLS', 'api.tls: give both cert and key, or neither (then the site CA issues one)');
  try {
    return loadOrIssueCertificate({ stateDir, siteId: root.site.id, leaf: 'api', names: listenerNames([`mgmt.${root.site.domain}`], cfg.listen.host, cfg.tls.altNames), given: cfg.tls });
  } catch (err) {
    throw new OutpostError('API_TLS', (err as Error).message, { cause: err });
  }
}
