// Generators of large, realistic CWMP messages for tests and the parse benchmark. Parameter
// paths and types come from the Broadband Forum TR-104 issue 1 flat model (tr-104-1-1-VoiceService.csv,
// BSD-3, copied from /work/shared/reference/models so tests run on a clean machine).

import { readFileSync } from 'node:fs';
import type { CwmpEnvelope, GetParameterValuesResponse, ParameterValue } from '../types.ts';

const CSV = new URL('./tr-104-1-1-VoiceService.csv', import.meta.url);

export interface ModelParam { path: string; type: string }

/** Parameter rows of the TR-104 model: path template (with {i}) and base XSD type. */
export function tr104Params(): ModelParam[] {
  const out: ModelParam[] = [];
  for (const line of readFileSync(CSV, 'utf8').split('\n').slice(1)) {
    const [path, kind, type] = line.split(',');
    if (kind !== 'parameter' || path === undefined || type === undefined) continue;
    out.push({ path, type: type.replace(/\[.*$/, '') });
  }
  return out;
}

function sampleValue(type: string, path: string, n: number): string {
  switch (type) {
    case 'boolean': return n % 3 === 0 ? 'true' : n % 3 === 1 ? '0' : 'false';
    case 'unsignedInt': return String((n * 7919) % 65536);
    case 'int': return n % 5 === 0 ? '-1' : String((n * 31) % 1000);
    case 'dateTime': return '2025-05-01T10:00:00Z';
    default:
      if (path.endsWith('Alias')) return `cpe-${n}`;
      // Some values need escaping, some carry non-ASCII, as real phones' display names do.
      return n % 11 === 0 ? `Gate <${n}> & "yard"` : n % 13 === 0 ? `Zürich-${n}` : `value-${n}`;
  }
}

const PRETTY_HEAD = `<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cwmp="urn:dslforum-org:cwmp-1-0">
  <SOAP-ENV:Header>
    <cwmp:ID SOAP-ENV:mustUnderstand="1">gpv-1</cwmp:ID>
  </SOAP-ENV:Header>
  <SOAP-ENV:Body>
    <cwmp:GetParameterValuesResponse>
`;
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A CPE-style (indented, SOAP-ENV prefixes) GetParameterValuesResponse of at least `minBytes`,
 * built by instantiating the TR-104 model with more and more VoiceProfiles, and the envelope a
 * correct parser must return for it.
 */
export function bigGpvResponse(minBytes = 200 * 1024, root = 'Device.'): { xml: string; expected: CwmpEnvelope<GetParameterValuesResponse> } {
  const model = tr104Params();
  const params: ParameterValue[] = [];
  let body = '';
  let n = 0;
  for (let profile = 1; PRETTY_HEAD.length + body.length < minBytes; profile++) {
    for (const m of model) {
      const slots = m.path.split('{i}').length - 1;
      if (slots <= 1 && profile > 1) continue; // VoiceService-level parameters exist once
      let k = 0;
      const path = m.path.replace(/\{i\}/g, () => String([1, profile][k++] ?? 1)).replace(/^Device\./, root);
      const value = sampleValue(m.type, path, n++);
      params.push({ name: path, value, type: `xsd:${m.type}` });
      body += `        <ParameterValueStruct>\n          <Name>${path}</Name>\n`
        + `          <Value xsi:type="xsd:${m.type}">${esc(value)}</Value>\n        </ParameterValueStruct>\n`;
    }
  }
  const xml = `${PRETTY_HEAD}      <ParameterList SOAP-ENC:arrayType="cwmp:ParameterValueStruct[${params.length}]">\n${body}`
    + '      </ParameterList>\n    </cwmp:GetParameterValuesResponse>\n  </SOAP-ENV:Body>\n</SOAP-ENV:Envelope>\n';
  return {
    xml,
    expected: {
      namespace: 'urn:dslforum-org:cwmp-1-0', header: { id: 'gpv-1' },
      body: { method: 'GetParameterValuesResponse', parameters: params },
    },
  };
}
