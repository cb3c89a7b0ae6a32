// HTTP connection requests, ACS as the HTTP client (tr069-protocol.md §7.3, §6.4): GET the
// device's ConnectionRequestURL; on 401 answer the challenge it names (Digest with the
// origin-form uri, or Basic), on a new connection if the CPE closed it after the 401
// (easycwmp does); 200/204 = accepted, 503 = busy, a second 401 = wrong credentials.
// At most one outstanding request per device and a minimum interval between them.

import http from 'node:http';
import { buildAuthorization, basicAuthorization, parseChallenge } from '../../protocols/http/digest.ts';

export interface CrResult {
  ok: boolean;
  status: number | null;
  detail: string;
  /** True when the device could not be reached at all (worth trying UDP). */
  unreachable: boolean;
}

function get(url: URL, timeoutMs: number, authorization?: string): Promise<{ status: number; challenge: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port || 80, path: url.pathname + url.search, method: 'GET',
      agent: false, timeout: timeoutMs,
      headers: { host: url.host, ...(authorization ? { authorization } : {}), 'content-length': '0' },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, challenge: res.headers['www-authenticate'] }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export async function httpConnectionRequest(rawUrl: string, username: string, password: string, timeoutMs: number): Promise<CrResult> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return { ok: false, status: null, detail: 'no valid ConnectionRequestURL', unreachable: true };
  }
  // §7.1: the URL must be http, never https.
  if (url.protocol !== 'http:') return { ok: false, status: null, detail: `refusing ${url.protocol} ConnectionRequestURL`, unreachable: true };
  try {
    let r = await get(url, timeoutMs);
    if (r.status === 401) {
      const c = r.challenge ? parseChallenge(r.challenge) : null;
      if (!c) return { ok: false, status: 401, detail: '401 without a usable challenge', unreachable: false };
      const uri = url.pathname + url.search;
      const authorization = c.scheme === 'Basic' ? basicAuthorization(username, password)
        : buildAuthorization(c, { username, password, method: 'GET', uri });
      r = await get(url, timeoutMs, authorization);
      if (r.status === 401) return { ok: false, status: 401, detail: 'incorrect connection request credentials', unreachable: false };
    }
    if (r.status === 200 || r.status === 204) return { ok: true, status: r.status, detail: 'accepted', unreachable: false };
    if (r.status === 503) return { ok: false, status: 503, detail: 'device busy (503)', unreachable: false };
    return { ok: false, status: r.status, detail: `unexpected HTTP ${r.status}`, unreachable: false };
  } catch (err) {
    return { ok: false, status: null, detail: (err as Error).message, unreachable: true };
  }
}
