// X.509 v3 certificates for the site CA and the ACS server certificate (RFC 5280), signed with
// node:crypto. RSA-2048 keys: TR-069 §3.3 CPE TLS stacks are old, and RSA server certificates
// are what every phone firmware can verify (tr069-protocol.md §6.1).

import { createPrivateKey, createPublicKey, createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { bits, bool, ctx, nul, octets, oid, seq, set, time, uint, utf8, tlv } from './der.ts';

const SHA256_RSA = '1.2.840.113549.1.1.11';
const SHA256_ECDSA = '1.2.840.10045.4.3.2'; // RFC 5758 §3.2: no parameters

export interface CertSpec {
  commonName: string;
  organization?: string;
  isCa: boolean;
  /** DNS names and IP addresses for subjectAltName (server certificates). */
  altNames?: string[];
  days: number;
  now?: Date;
  /** The certificate's own key: RSA 2048 (every phone's TLS stack) or ECDSA P-256 (signing costs
   *  ~1/30 of RSA's; served beside the RSA one to clients that offer ECDSA). Default rsa. */
  keyType?: 'rsa' | 'ec';
}

export interface Issued {
  certPem: string;
  keyPem: string;
}

function name(cn: string, org?: string): Buffer {
  const rdns = [];
  if (org) rdns.push(set(seq(oid('2.5.4.10'), utf8(org))));
  rdns.push(set(seq(oid('2.5.4.3'), utf8(cn))));
  return seq(...rdns);
}

function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  // IPv6: expand :: and pack 8 groups.
  const [head, tail] = ip.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.from(groups.flatMap((g) => { const v = parseInt(g || '0', 16); return [v >> 8, v & 0xff]; }));
}

function extensions(spec: CertSpec, spki: Buffer, issuerSpki: Buffer, ec: boolean): Buffer {
  const keyId = (k: Buffer) => createHash('sha1').update(k).digest();
  const ext = (id: string, critical: boolean, value: Buffer) => seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));
  const list = [
    ext('2.5.29.19', true, seq(...(spec.isCa ? [bool(true)] : []))),
    // keyUsage: CA → keyCertSign|cRLSign; server → digitalSignature|keyEncipherment (RSA key
    // exchange), digitalSignature only for an ECDSA key (RFC 5480 §3)
    ext('2.5.29.15', true, spec.isCa ? tlv(0x03, Buffer.from([1, 0x06])) : tlv(0x03, ec ? Buffer.from([7, 0x80]) : Buffer.from([5, 0xa0]))),
    ext('2.5.29.14', false, octets(keyId(spki))),
    ext('2.5.29.35', false, seq(ctx(0, keyId(issuerSpki), false))),
  ];
  if (!spec.isCa) {
    list.push(ext('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))));
    const sans = (spec.altNames ?? []).map((n) => (isIP(n) ? ctx(7, ipBytes(n), false) : ctx(2, Buffer.from(n, 'ascii'), false)));
    if (sans.length > 0) list.push(ext('2.5.29.17', false, seq(...sans)));
  }
  return ctx(3, seq(...list));
}

function spkiOf(key: KeyObject): Buffer {
  return createPublicKey(key).export({ type: 'spki', format: 'der' });
}

/** Issue a certificate. Without `issuer` it is self-signed (the site CA). */
export function issueCertificate(spec: CertSpec, issuer?: { certSubjectCn: string; org?: string; keyPem: string }): Issued {
  const { privateKey } = spec.keyType === 'ec'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signer = issuer ? createPrivateKey(issuer.keyPem) : privateKey;
  const spki = spkiOf(privateKey);
  const now = spec.now ?? new Date();
  const notBefore = new Date(now.getTime() - 3600_000); // tolerate phones whose clock lags
  const notAfter = new Date(now.getTime() + spec.days * 86_400_000);
  // The signature algorithm is the signer's: the site CA is RSA, so an ECDSA leaf is still signed sha256WithRSA.
  const algo = signer.asymmetricKeyType === 'ec' ? seq(oid(SHA256_ECDSA)) : seq(oid(SHA256_RSA), nul());
  const tbs = seq(
    ctx(0, uint(Buffer.from([2]))),
    uint(randomBytes(16)),
    algo,
    issuer ? name(issuer.certSubjectCn, issuer.org) : name(spec.commonName, spec.organization),
    seq(time(notBefore), time(notAfter)),
    name(spec.commonName, spec.organization),
    spki,
    extensions(spec, spki, spkiOf(signer), privateKey.asymmetricKeyType === 'ec'),
  );
  const signature = sign('sha256', tbs, signer);
  const der = seq(tbs, algo, bits(signature));
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return {
    certPem: `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`,
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}
