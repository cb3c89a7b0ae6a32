// One conditional pull of the site bundle (RFC 9110 §13.1.2 If-None-Match): 304 costs central
// and the WAN almost nothing, so sites can poll often. A 200 body is handed whole to the keeper
// (apply.ts) — a cut-short answer is a network error and is never applied.

import type { SyncRepo } from '../../store/sync.ts';
import type { Store } from '../../store/index.ts';
import { request, NetworkError, type RequestOptions } from './http.ts';
import type { WanOutcome } from './wan.ts';

/** 'unreachable': no answer at all (the rest of the cycle is skipped); 'failed': central answered with an error. */
export type PullResult = 'unchanged' | 'applied' | 'refused' | 'failed' | 'unreachable' | 'none';

export interface PullDeps {
  url: string;
  headers: Record<string, string>;
  http: Omit<RequestOptions, 'headers'>;
  repo: SyncRepo;
  store: Store;
  maxBytes: number;
  signal?: AbortSignal;
  wan(o: WanOutcome): void;
  /** Verify and apply. */
  offer(bytes: Buffer): Promise<'applied' | 'unchanged' | 'refused'>;
  authFailed(message: string): void;
  authOk(): void;
}

export async function pullBundle(d: PullDeps): Promise<PullResult> {
  const etag = d.repo.etag();
  let res;
  try {
    res = await request(d.url, { ...d.http, headers: { ...d.headers, ...(etag ? { 'if-none-match': etag } : {}) }, maxBytes: d.maxBytes, signal: d.signal });
  } catch (err) {
    if (!(err instanceof NetworkError)) throw err;
    d.wan({ ok: false, kind: 'network', message: `bundle: ${err.message}` });
    return 'unreachable';
  }
  if (res.status === 401 || res.status === 403) {
    d.wan({ ok: false, kind: 'auth', message: `bundle: HTTP ${res.status}` });
    d.authFailed(`central refused this site's credentials (HTTP ${res.status} from ${new URL(d.url).origin}); check sync.central.token`);
    return 'failed';
  }
  if (res.status >= 500 || (res.status !== 200 && res.status !== 304 && res.status !== 404)) {
    d.wan({ ok: false, kind: 'server', message: `bundle: HTTP ${res.status}` });
    return 'failed';
  }
  d.wan({ ok: true, latencyMs: res.latencyMs });
  d.authOk();
  if (res.status === 304) return 'unchanged';
  if (res.status === 404) return 'none'; // central has nothing for this site yet
  const outcome = await d.offer(res.body);
  const newTag = typeof res.headers.etag === 'string' ? res.headers.etag : null;
  // Remember the validator whether applied or refused: a refused bundle is not downloaded and
  // refused again every cycle; it stays refused (in health) until central publishes another.
  await d.store.commit(() => d.repo.setEtag(newTag));
  return outcome;
}
