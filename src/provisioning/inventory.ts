// The CSV inventory: per-position and per-device values and secrets (line credentials,
// extensions) that do not belong in templates (DESIGN "Per-device and per-position values").
// The first column names the key: `position`, `serial`, `mac` or `device` (OUI-ProductClass-
// Serial); the other columns are intents (`line[1].password`). Validated as a whole: the report
// names every bad row and column, and nothing is stored unless every row is good.

import type { ProvisioningContent } from './content.ts';
import { canonicalIntentValue, intentDef } from './intents.ts';
import { normaliseMac } from './parse.ts';

export type InventoryScope = 'position' | 'device';

export interface InventoryEntry {
  scope: InventoryScope;
  /** Position id, or `serial:<S>`, `mac:<aa:bb:…>`, `id:<device id>`. */
  key: string;
  intent: string;
  value: string;
  secret: boolean;
}

export interface InventoryProblem {
  line: number;
  column: string | null;
  message: string;
}

export interface InventoryReport {
  ok: boolean;
  rows: number;
  values: number;
  secrets: number;
  errors: InventoryProblem[];
  warnings: InventoryProblem[];
}

export const MAX_INVENTORY_ROWS = 50_000;

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF. Returns rows with their line numbers. */
export function parseCsv(text: string): { line: number; cells: string[] }[] {
  const rows: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  const src = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else { if (c === '\n') line++; cell += c; }
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') { cells.push(cell); cell = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      cells.push(cell);
      if (cells.some((x) => x.trim() !== '')) rows.push({ line: start, cells });
      cells = []; cell = ''; line++; start = line;
    } else cell += c;
  }
  cells.push(cell);
  if (cells.some((x) => x.trim() !== '')) rows.push({ line: start, cells });
  return rows;
}

const KEY_COLUMNS = ['position', 'serial', 'mac', 'device'] as const;

export function deviceKey(kind: 'serial' | 'mac' | 'device', raw: string): string {
  if (kind === 'mac') return `mac:${normaliseMac(raw)}`;
  return kind === 'serial' ? `serial:${raw.trim()}` : `id:${raw.trim()}`;
}

/** Parse and check an inventory CSV against the site's positions. */
export function parseInventory(text: string, content: ProvisioningContent): { report: InventoryReport; entries: InventoryEntry[] } {
  const report: InventoryReport = { ok: false, rows: 0, values: 0, secrets: 0, errors: [], warnings: [] };
  const entries: InventoryEntry[] = [];
  const rows = parseCsv(text);
  const header = rows.shift();
  if (!header) {
    report.errors.push({ line: 1, column: null, message: 'empty file: the first line must be a header (position|serial|mac|device, then intents)' });
    return { report, entries };
  }
  const head = header.cells.map((c) => c.trim());
  const keyKind = head[0]!.toLowerCase() as (typeof KEY_COLUMNS)[number];
  if (!KEY_COLUMNS.includes(keyKind)) report.errors.push({ line: header.line, column: head[0]!, message: `first column must be one of ${KEY_COLUMNS.join(', ')}` });
  const intents = head.slice(1).map((name) => ({ name, def: intentDef(name) }));
  for (const i of intents) if (!i.def) report.errors.push({ line: header.line, column: i.name, message: `unknown intent '${i.name}'` });
  if (new Set(head).size !== head.length) report.errors.push({ line: header.line, column: null, message: 'a column appears twice' });
  if (rows.length > MAX_INVENTORY_ROWS) report.errors.push({ line: header.line, column: null, message: `more than ${MAX_INVENTORY_ROWS} rows` });
  if (report.errors.length > 0) return { report, entries };
  const seen = new Map<string, number>();
  for (const row of rows) {
    report.rows++;
    const key = (row.cells[0] ?? '').trim();
    if (row.cells.length > head.length) report.errors.push({ line: row.line, column: null, message: `${row.cells.length} cells, header has ${head.length}` });
    if (key === '') { report.errors.push({ line: row.line, column: head[0]!, message: 'empty key' }); continue; }
    if (keyKind === 'position' && !content.positions[key]) report.errors.push({ line: row.line, column: 'position', message: `no position '${key}' in the site content` });
    const scope: InventoryScope = keyKind === 'position' ? 'position' : 'device';
    const k = scope === 'position' ? key : deviceKey(keyKind as 'serial' | 'mac' | 'device', key);
    if (seen.has(k)) report.errors.push({ line: row.line, column: head[0]!, message: `'${key}' already on line ${seen.get(k)}` });
    seen.set(k, row.line);
    intents.forEach((col, i) => {
      const raw = row.cells[i + 1];
      if (raw === undefined || raw === '') return; // empty cell: no value for this intent
      const c = canonicalIntentValue(col.def!, raw);
      if (!c.ok) { report.errors.push({ line: row.line, column: col.name, message: col.def!.secret ? `${col.name}: invalid value (not shown)` : c.error }); return; }
      entries.push({ scope, key: k, intent: col.name, value: c.value, secret: col.def!.secret === true });
    });
  }
  report.values = entries.filter((e) => !e.secret).length;
  report.secrets = entries.length - report.values;
  report.ok = report.errors.length === 0;
  if (report.rows === 0) report.warnings.push({ line: header.line, column: null, message: 'no data rows' });
  return { report, entries };
}
