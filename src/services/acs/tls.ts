// The ACS certificate (services/tls.ts does the work): acs.<site domain>, the host of the URL
// phones are given, the listen address and configured altNames (tr069-protocol.md §6.1).
import { OutpostError } from '../../core/errors.ts';
import type { AcsConfig, Config } from '../../core/config/schema.ts';
import { listenerNames, loadOrIssueCertificate, type TlsMaterial } from '../tls.ts';

export function loadOrGenerateTls(cfg: AcsConfig, root: Config, stateDir: string): TlsMaterial {
  const own = [`acs.${root.site.domain}`, ...(cfg.url ? [new URL(cfg.url).hostname.replace(/^\[|\]$/g, '')] : [])];
  try {
    return loadOrIssueCertificate({ stateDir, siteId: root.site.id, leaf: 'acs', names: listenerNames(own, cfg.listen.host, cfg.tls.altNames), given: cfg.tls });
  } catch (err) {
    throw new OutpostError('ACS_TLS', (err as Error).message, { cause: err });
  }
}
