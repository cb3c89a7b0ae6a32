// A small, non-validating XML tokenizer and tree builder for CWMP SOAP envelopes. Hand-written
// (dependencies.md "XML": ~2 ms for a 200 KB GetParameterValuesResponse, DTD entities impossible
// by construction) and deliberately narrow:
//   * namespaces are resolved per element scope (prefix → URI, default namespace), because CPEs
//     declare the CWMP namespace on the Envelope, the Body or the method element (§11.1);
//   * the 5 predefined entities and numeric character references are decoded; CDATA is text;
//     comments and processing instructions are skipped; a UTF-8 BOM is stripped;
//   * any `<!DOCTYPE`/`<!ENTITY` is refused (no DTD, so no entity expansion: billion laughs and
//     XXE are impossible), depth and size are capped;
//   * XML-1.0-illegal control characters are dropped (GenieACS #76);
//   * lenient mode keeps an unescaped `&` in text as a literal (tr069-protocol.md §11.1);
//   * parsing stops when the first root element closes: extra envelopes or trailing junk after it
//     are ignored (§11.3 "several SOAP envelopes in one HTTP POST": first only).

import { OutpostError } from '../../core/errors.ts';

export interface XmlAttr {
  /** Namespace URI ('' when unprefixed, or when the prefix is undeclared). */
  ns: string;
  prefix: string;
  local: string;
  value: string;
}

export interface XmlElement {
  /** Namespace URI of the element ('' when none). */
  ns: string;
  prefix: string;
  local: string;
  attrs: XmlAttr[];
  children: XmlElement[];
  /** Concatenated character data of the element's direct text and CDATA children. */
  text: string;
}

export interface XmlParseOptions {
  /** Refuse inputs larger than this many bytes (ACS_BODY_TOO_LARGE). Default: unlimited. */
  maxBytes?: number;
  /** Maximum element nesting (ACS_XML_TOO_DEEP). Default 64. */
  maxDepth?: number;
  /** Charset used to decode a Buffer (utf-8, iso-8859-1, …). Default utf-8. */
  charset?: string;
  /** Keep `&` that does not start a valid reference as a literal character (§11.1). */
  lenient?: boolean;
}

export const DEFAULT_MAX_DEPTH = 64;
const XML_NS = 'http://www.w3.org/XML/1998/namespace';

// XML 1.0 §2.2 Char: TAB, LF, CR and everything from U+0020 on (minus surrogates, FFFE/FFFF).
// eslint-disable-next-line no-control-regex
const ILLEGAL_CTRL = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
// eslint-disable-next-line no-control-regex
const ILLEGAL_CTRL_G = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/g;
// XML Name (simplified to the ranges that matter; QName colon allowed anywhere after the first char).
const NAME_RE = /[A-Za-z_\u00C0-\uFFFD][\w.\-:\u00B7-\uFFFD]*/y;
const NCNAME_START = /^[A-Za-z_\u00C0-\uFFFD]$/;
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decode a body to text: BOM stripped, charset applied (Buffer only). */
export function decodeXmlText(input: Buffer | string, charset?: string): string {
  if (typeof input === 'string') return input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  let buf = input;
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
  const cs = (charset ?? 'utf-8').trim().toLowerCase();
  if (cs === 'utf-8' || cs === 'utf8' || cs === '') return buf.toString('utf8');
  if (cs === 'iso-8859-1' || cs === 'latin1' || cs === 'iso8859-1' || cs === 'us-ascii' || cs === 'ascii') {
    return buf.toString('latin1');
  }
  try {
    return new TextDecoder(cs).decode(buf);
  } catch {
    return buf.toString('utf8'); // unknown label: UTF-8 is what CWMP agents nearly always mean
  }
}

function byteLengthExceeds(input: Buffer | string, max: number): boolean {
  if (typeof input !== 'string') return input.length > max;
  if (input.length > max) return true; // every char is ≥ 1 byte
  if (input.length * 3 <= max) return false; // every UTF-16 unit is ≤ 3 UTF-8 bytes
  return Buffer.byteLength(input, 'utf8') > max;
}

interface Frame {
  el: XmlElement;
  qname: string;
  decls: Map<string, string> | null;
}

/** Parse a document and return its root element. Throws OutpostError only. */
export function parseXml(input: Buffer | string, opts: XmlParseOptions = {}): XmlElement {
  if (opts.maxBytes !== undefined && byteLengthExceeds(input, opts.maxBytes)) {
    throw new OutpostError('ACS_BODY_TOO_LARGE', `more than ${opts.maxBytes} bytes`);
  }
  let s = decodeXmlText(input, opts.charset);
  if (ILLEGAL_CTRL.test(s)) s = s.replace(ILLEGAL_CTRL_G, '');
  if (s.indexOf('\r') !== -1) s = s.replace(/\r\n?/g, '\n'); // XML 1.0 §2.11 end-of-line handling
  return new Parser(s, opts.maxDepth ?? DEFAULT_MAX_DEPTH, opts.lenient === true).run();
}

class Parser {
  readonly s: string;
  readonly maxDepth: number;
  readonly lenient: boolean;
  pos = 0;
  readonly stack: Frame[] = [];

  constructor(s: string, maxDepth: number, lenient: boolean) {
    this.s = s;
    this.maxDepth = maxDepth;
    this.lenient = lenient;
  }

  fail(what: string, at = this.pos): never {
    const before = this.s.slice(0, at);
    const line = before.split('\n').length;
    const col = at - before.lastIndexOf('\n');
    throw new OutpostError('ACS_XML_MALFORMED', `${what} at line ${line} column ${col} (offset ${at})`);
  }

  run(): XmlElement {
    const s = this.s;
    let root: XmlElement | undefined;
    while (this.pos < s.length) {
      const lt = s.indexOf('<', this.pos);
      const end = lt === -1 ? s.length : lt;
      if (end > this.pos) this.text(this.pos, end);
      if (lt === -1) break;
      this.pos = lt;
      const c = s.charCodeAt(lt + 1);
      if (c === 0x2f /* / */) {
        if (this.endTag()) return root as XmlElement;
      } else if (c === 0x3f /* ? */) {
        this.skipPast('?>', 'unterminated processing instruction');
      } else if (c === 0x21 /* ! */) {
        this.bang();
      } else {
        const el = this.startTag();
        root ??= el;
        if (this.stack.length === 0) return root; // self-closing root element
      }
    }
    if (root === undefined) this.fail('no root element');
    return this.fail(`unexpected end of input inside <${this.stack[this.stack.length - 1]?.qname ?? '?'}>`);
  }

  skipPast(marker: string, err: string): number {
    const i = this.s.indexOf(marker, this.pos);
    if (i === -1) this.fail(err);
    const start = this.pos;
    this.pos = i + marker.length;
    return start;
  }

  /** `<!` markup: comment, CDATA, or a forbidden declaration. */
  bang(): void {
    const s = this.s;
    const p = this.pos;
    if (s.startsWith('<!--', p)) {
      this.pos = p + 4;
      this.skipPast('-->', 'unterminated comment');
      return;
    }
    if (s.startsWith('<![CDATA[', p)) {
      const top = this.stack[this.stack.length - 1];
      if (top === undefined) this.fail('CDATA outside the root element');
      this.pos = p + 9;
      const start = this.pos;
      const i = s.indexOf(']]>', start);
      if (i === -1) this.fail('unterminated CDATA section', p);
      top.el.text += s.slice(start, i);
      this.pos = i + 3;
      return;
    }
    const word = s.slice(p + 2, p + 9).toUpperCase();
    if (word.startsWith('DOCTYPE') || word.startsWith('ENTITY') || word.startsWith('ELEMENT') || word.startsWith('ATTLIST')) {
      throw new OutpostError('ACS_XML_FORBIDDEN', `<!${word.replace(/[^A-Z].*$/, '')} at offset ${p}`);
    }
    this.fail('unexpected <!', p);
  }

  text(start: number, end: number): void {
    const top = this.stack[this.stack.length - 1];
    if (top === undefined) {
      for (let i = start; i < end; i++) {
        const c = this.s.charCodeAt(i);
        if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) this.fail('text outside the root element', i);
      }
      return;
    }
    const raw = this.s.slice(start, end);
    top.el.text += raw.indexOf('&') === -1 ? raw : this.decode(raw, start);
  }

  /** Replace entity and character references (XML 1.0 §4.1, §4.6). */
  decode(raw: string, offset: number): string {
    let out = '';
    let last = 0;
    let amp = raw.indexOf('&');
    while (amp !== -1) {
      out += raw.slice(last, amp);
      // Bounded look-ahead: references are short, and an unbounded indexOf would make a body of
      // many unescaped '&' quadratic in lenient mode.
      const semi = raw.slice(amp + 1, amp + 13).indexOf(';');
      const ref = semi === -1 ? null : raw.slice(amp + 1, amp + 1 + semi);
      const ch = ref === null ? undefined : this.reference(ref, offset + amp);
      if (ch === undefined) {
        if (!this.lenient) this.fail('unescaped & or unknown entity', offset + amp);
        out += '&'; // §11.1: an unescaped & in a value is kept literally
        last = amp + 1;
      } else {
        out += ch;
        last = amp + semi + 2;
      }
      amp = raw.indexOf('&', last);
    }
    return out + raw.slice(last);
  }

  reference(ref: string, at: number): string | undefined {
    if (ref.charCodeAt(0) !== 0x23 /* # */) return PREDEFINED[ref];
    const hex = ref.charCodeAt(1) === 0x78 /* x */;
    const digits = ref.slice(hex ? 2 : 1);
    if (digits === '' || !(hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) return undefined;
    const cp = parseInt(digits, hex ? 16 : 10);
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      if (!this.lenient) this.fail(`invalid character reference &${ref};`, at);
      return '\uFFFD';
    }
    // XML-1.0-illegal control characters are dropped, as in raw text (GenieACS #76).
    if ((cp < 0x20 && cp !== 0x09 && cp !== 0x0a && cp !== 0x0d) || cp === 0xfffe || cp === 0xffff) return '';
    return String.fromCodePoint(cp);
  }

  name(): string {
    NAME_RE.lastIndex = this.pos;
    const m = NAME_RE.exec(this.s);
    if (m === null) this.fail('expected a name');
    this.pos = NAME_RE.lastIndex;
    return m[0];
  }

  skipWs(): boolean {
    const s = this.s;
    const start = this.pos;
    let c = s.charCodeAt(this.pos);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = s.charCodeAt(++this.pos);
    return this.pos > start;
  }

  lookup(prefix: string): string | undefined {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const v = this.stack[i]!.decls?.get(prefix);
      if (v !== undefined) return v;
    }
    if (prefix === 'xml') return XML_NS;
    return prefix === '' ? '' : undefined;
  }

  startTag(): XmlElement {
    const s = this.s;
    const tagStart = this.pos;
    this.pos++;
    const qname = this.name();
    const raw: [string, string][] = [];
    let decls: Map<string, string> | null = null;
    let selfClose = false;
    for (;;) {
      const ws = this.skipWs();
      const c = s.charCodeAt(this.pos);
      if (c === 0x3e /* > */) { this.pos++; break; }
      if (c === 0x2f /* / */) {
        if (s.charCodeAt(this.pos + 1) !== 0x3e) this.fail('expected />');
        this.pos += 2;
        selfClose = true;
        break;
      }
      if (Number.isNaN(c)) this.fail(`unterminated start tag <${qname}`, tagStart);
      if (!ws) this.fail('expected whitespace between attributes');
      const aname = this.name();
      this.skipWs();
      if (s.charCodeAt(this.pos) !== 0x3d /* = */) this.fail(`expected = after attribute ${aname}`);
      this.pos++;
      this.skipWs();
      const q = s.charCodeAt(this.pos);
      if (q !== 0x22 && q !== 0x27) this.fail('expected a quoted attribute value');
      const close = s.indexOf(q === 0x22 ? '"' : "'", this.pos + 1);
      if (close === -1) this.fail('unterminated attribute value');
      let value = s.slice(this.pos + 1, close);
      if (value.indexOf('<') !== -1) this.fail('< in attribute value', this.pos);
      if (value.indexOf('&') !== -1) value = this.decode(value, this.pos + 1);
      this.pos = close + 1;
      if (aname === 'xmlns') (decls ??= new Map()).set('', value);
      else if (aname.startsWith('xmlns:')) (decls ??= new Map()).set(aname.slice(6), value);
      else raw.push([aname, value]);
    }
    const colon = qname.indexOf(':');
    // Namespaces in XML §3: both parts of a QName are NCNames (the local part cannot start with a digit).
    if (colon !== -1 && (colon === qname.length - 1 || qname.indexOf(':', colon + 1) !== -1 || !NCNAME_START.test(qname[colon + 1]!))) this.fail(`invalid QName ${qname}`, tagStart);
    const el: XmlElement = {
      ns: '', prefix: colon === -1 ? '' : qname.slice(0, colon), local: colon === -1 ? qname : qname.slice(colon + 1),
      attrs: [], children: [], text: '',
    };
    const parent = this.stack[this.stack.length - 1];
    if (this.stack.length >= this.maxDepth) {
      throw new OutpostError('ACS_XML_TOO_DEEP', `more than ${this.maxDepth} levels at offset ${tagStart}`);
    }
    this.stack.push({ el, qname, decls });
    const ns = this.lookup(el.prefix);
    if (ns === undefined) this.fail(`undeclared namespace prefix ${el.prefix}`, tagStart);
    el.ns = ns;
    for (const [aname, value] of raw) {
      const ac = aname.indexOf(':');
      const prefix = ac === -1 ? '' : aname.slice(0, ac);
      // Unprefixed attributes have no namespace (Namespaces in XML §6.2); an undeclared attribute
      // prefix is tolerated (ns '') because CPEs send xsi:type without declaring xsi.
      el.attrs.push({ ns: prefix === '' ? '' : (this.lookup(prefix) ?? ''), prefix, local: ac === -1 ? aname : aname.slice(ac + 1), value });
    }
    if (parent !== undefined) parent.el.children.push(el);
    if (selfClose) this.stack.pop();
    return el;
  }

  /** Returns true when the root element closed. */
  endTag(): boolean {
    const at = this.pos;
    this.pos += 2;
    const qname = this.name();
    this.skipWs();
    if (this.s.charCodeAt(this.pos) !== 0x3e) this.fail(`expected > in </${qname}`);
    this.pos++;
    const top = this.stack.pop();
    if (top === undefined) this.fail(`unexpected </${qname}>`, at);
    if (top.qname !== qname) this.fail(`</${qname}> does not close <${top.qname}>`, at);
    return this.stack.length === 0;
  }
}

/** Attribute value by local name (any namespace), e.g. attr(el, 'type') for xsi:type. */
export function attr(el: XmlElement, local: string): string | undefined {
  for (const a of el.attrs) if (a.local === local) return a.value;
  return undefined;
}

/** First child element with this local name (any namespace: CWMP arguments are unqualified,
 *  but some CPEs qualify them). */
export function child(el: XmlElement, local: string): XmlElement | undefined {
  for (const c of el.children) if (c.local === local) return c;
  return undefined;
}
