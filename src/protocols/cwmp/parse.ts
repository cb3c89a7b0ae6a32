// SOAP envelope → CwmpEnvelope (tr069-protocol.md §1.5, §1.9, §4.1, §11.1). Lenient in what it
// accepts: any prefixes, namespaces declared anywhere in scope, CWMP 1.0–1.4 namespaces including
// the non-standard cwmp-1-3/1-4, quirky headers; strict about safety (xml.ts limits).

import { OutpostError } from '../../core/errors.ts';
import type { CwmpBody, CwmpEnvelope, CwmpHeader, CwmpNamespace, Fault } from './types.ts';
import { child, parseXml, type XmlElement } from './xml.ts';
import { BODY_PARSERS } from './parse-bodies.ts';
import { parseBool, parseNum, unwrapString } from './values.ts';

export interface ParseOptions {
  /** Refuse bodies larger than this (ACS_BODY_TOO_LARGE). Default DEFAULT_MAX_BODY_BYTES. */
  maxBytes?: number;
  /** Charset for a Buffer body (see detectCharset). Default utf-8. */
  charset?: string;
  /** Maximum XML nesting (ACS_XML_TOO_DEEP). Default 64. */
  maxDepth?: number;
  /** Refuse an unescaped `&` instead of keeping it literally (§11.1). Default false. */
  strict?: boolean;
}

/** Default body cap: far above the 32 KiB TR-069 minimum (§1.5) and a full phone GPV. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

export const SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const SOAP12_ENV_NS = 'http://www.w3.org/2003/05/soap-envelope';
export const CWMP_NAMESPACES: readonly CwmpNamespace[] = [
  'urn:dslforum-org:cwmp-1-0', 'urn:dslforum-org:cwmp-1-1', 'urn:dslforum-org:cwmp-1-2',
  'urn:dslforum-org:cwmp-1-3', 'urn:dslforum-org:cwmp-1-4',
];
const CWMP_NS_SET: ReadonlySet<string> = new Set(CWMP_NAMESPACES);
/** Namespace assumed for a Fault that names none (no cwmp:Fault, no header): every CPE knows 1.0. */
const FALLBACK_NS: CwmpNamespace = 'urn:dslforum-org:cwmp-1-0';

function asCwmpNs(uri: string): CwmpNamespace | undefined {
  return CWMP_NS_SET.has(uri) ? (uri as CwmpNamespace) : undefined;
}
function isSoapEnv(ns: string): boolean {
  return ns === SOAP_ENV_NS || ns === SOAP12_ENV_NS;
}

/** Parse one CWMP SOAP envelope. Throws OutpostError (ACS_XML_*, ACS_BODY_TOO_LARGE, ACS_NOT_SOAP). */
export function parseEnvelope(body: Buffer | string, opts: ParseOptions = {}): CwmpEnvelope {
  const root = parseXml(body, {
    maxBytes: opts.maxBytes ?? DEFAULT_MAX_BODY_BYTES, maxDepth: opts.maxDepth, charset: opts.charset,
    lenient: opts.strict !== true,
  });
  if (root.local !== 'Envelope' || !isSoapEnv(root.ns)) {
    throw new OutpostError('ACS_NOT_SOAP', `root element is <${root.prefix ? `${root.prefix}:` : ''}${root.local}>`);
  }
  let headerEl: XmlElement | undefined;
  let bodyEl: XmlElement | undefined;
  for (const c of root.children) {
    if (c.local === 'Header' && headerEl === undefined) headerEl = c;
    else if (c.local === 'Body' && bodyEl === undefined) bodyEl = c;
  }
  if (bodyEl === undefined) throw new OutpostError('ACS_NOT_SOAP', 'no SOAP Body');
  const method = bodyEl.children[0];
  if (method === undefined) throw new OutpostError('ACS_NOT_SOAP', 'empty SOAP Body');
  const { header, headerNs } = parseHeader(headerEl);

  if (method.local === 'Fault' && isSoapEnv(method.ns)) {
    const { fault, ns } = parseFault(method);
    return { namespace: ns ?? headerNs ?? FALLBACK_NS, header, body: fault };
  }
  const namespace = asCwmpNs(method.ns) ?? (method.ns === '' ? headerNs : undefined);
  if (namespace === undefined) {
    const what = method.ns.startsWith('urn:dslforum-org:cwmp-') ? 'unsupported CWMP namespace' : 'not a CWMP method';
    throw new OutpostError('ACS_NOT_SOAP', `${what}: ${method.local} in "${method.ns}"`);
  }
  return { namespace, header, body: parseBody(method) };
}

function parseBody(method: XmlElement): CwmpBody {
  // hasOwn: a hostile element named `constructor` must not reach Object.prototype.
  const parse = Object.hasOwn(BODY_PARSERS, method.local) ? BODY_PARSERS[method.local] : undefined;
  return parse === undefined ? { method: 'Unknown', name: method.local } : parse(method);
}

/** Header elements, matched case-insensitively (§11.1: GenieACS's `sessionTimeout`). */
function parseHeader(el: XmlElement | undefined): { header: CwmpHeader; headerNs: CwmpNamespace | undefined } {
  const header: CwmpHeader = {};
  let headerNs: CwmpNamespace | undefined;
  if (el === undefined) return { header, headerNs };
  for (const c of el.children) {
    headerNs ??= asCwmpNs(c.ns);
    switch (c.local.toLowerCase()) {
      case 'id':
        header.id = c.text.trim(); // opaque; trimmed (§11.1, AMIT/Sagem/pretty-printers)
        break;
      case 'holdrequests':
        header.holdRequests = parseBool(c.text);
        break;
      case 'sessiontimeout': {
        const n = parseNum(c.text, -1);
        if (n >= 0) header.sessionTimeout = n;
        break;
      }
      case 'supportedcwmpversions':
        header.supportedVersions = c.text.split(',').map((v) => v.trim()).filter((v) => v !== '');
        break;
      case 'usecwmpversion':
        header.useVersion = c.text.trim();
        break;
      default: // NoMoreRequests (CWMP 1.0, removed in Amd 1) and vendor headers: ignored (§1.5)
    }
  }
  return { header, headerNs };
}

/** SOAP 1.1 Fault with a cwmp:Fault detail (§4.1); without the detail → 9002 keeping the text. */
function parseFault(el: XmlElement): { fault: Fault; ns: CwmpNamespace | undefined } {
  const rawCode = child(el, 'faultcode')?.text.trim() ?? '';
  const faultCode = rawCode.slice(rawCode.indexOf(':') + 1).toLowerCase() === 'server' ? 'Server' : 'Client';
  const faultString = unwrapString(child(el, 'faultstring')?.text ?? '');
  const detail = child(el, 'detail') ?? child(el, 'Detail');
  const cwmp = detail?.children.find((c) => c.local === 'Fault');
  if (cwmp === undefined) {
    return {
      fault: { method: 'Fault', faultCode, faultString, code: 9002, string: faultString, setParameterValuesFaults: [] },
      ns: undefined,
    };
  }
  const setParameterValuesFaults = cwmp.children.filter((c) => c.local === 'SetParameterValuesFault').map((f) => ({
    name: child(f, 'ParameterName')?.text.trim() ?? '',
    code: parseNum(child(f, 'FaultCode')?.text, 9002),
    string: unwrapString(child(f, 'FaultString')?.text ?? ''),
  }));
  return {
    fault: {
      method: 'Fault', faultCode, faultString, code: parseNum(child(cwmp, 'FaultCode')?.text, 9002),
      string: unwrapString(child(cwmp, 'FaultString')?.text ?? ''), setParameterValuesFaults,
    },
    ns: asCwmpNs(cwmp.ns),
  };
}

/** An empty POST: no body, or only whitespace (§1.4, §11.2). */
export function isEmptyBody(body: Buffer | string | null | undefined): boolean {
  if (body === null || body === undefined || body.length === 0) return true;
  if (typeof body === 'string') return body.trim() === '';
  for (const b of body) if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return false;
  return true;
}

/**
 * Charset of a CWMP body: the Content-Type charset parameter, else the XML declaration's
 * encoding, else utf-8 (§11.1, GenieACS order). Returned lower-case.
 */
export function detectCharset(contentType: string | undefined, body: Buffer): string {
  const m = contentType === undefined ? null : /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType);
  if (m !== null) return m[1]!.toLowerCase();
  let head = body.subarray(0, 256).toString('latin1');
  if (head.startsWith('\u00ef\u00bb\u00bf')) head = head.slice(3);
  const d = /^\s*<\?xml\s[^>]*?encoding\s*=\s*["']([^"']+)["']/.exec(head);
  return d !== null ? d[1]!.toLowerCase() : 'utf-8';
}
