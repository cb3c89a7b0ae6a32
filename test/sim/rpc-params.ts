// The parameter RPCs a phone answers against its state (tr069-protocol.md §3.1, §4.3, §5):
// GetParameterNames, Get/SetParameterValues, Get/SetParameterAttributes, AddObject, DeleteObject.

import type {
  AddObject, AddObjectResponse, DeleteObject, DeleteObjectResponse, Fault, GetParameterAttributes,
  GetParameterAttributesResponse, GetParameterNames, GetParameterNamesResponse, GetParameterValues,
  GetParameterValuesResponse, ParameterValue, SetParameterAttributes, SetParameterAttributesResponse,
  SetParameterValues, SetParameterValuesFault, SetParameterValuesResponse,
} from '../../src/protocols/cwmp/types.ts';
import { cpeFault, spvFault } from './faults.ts';
import type { ParamDef } from './models/types.ts';
import { canonicalValue, typeMatches, wireValue, xsdOf } from './models/values.ts';
import type { Quirks } from './quirks.ts';
import type { PhoneState, Resolved } from './state.ts';

export interface ParamContext {
  state: PhoneState;
  quirks: Quirks;
}

/** A phone stops adding instances to one table here (9004 Resources exceeded). */
export const MAX_INSTANCES_PER_TABLE = 64;

/** Quirk smallGpv: a GetParameterValues naming more parameters than this faults 9002 (GenieACS #150). */
export const SMALL_GPV_LIMIT = 16;

/** The value as sent over CWMP: hidden parameters read back empty (§5.1). */
export function reportedValue(ctx: ParamContext, def: ParamDef, path: string): ParameterValue {
  const value = def.hidden ? '' : wireValue(def, ctx.state.valueOf(def, path), { booleanAsInt: ctx.quirks.booleanAsInt });
  return { name: shownName(ctx, path), value, type: xsdOf(def) };
}

/** Quirk omitSingleInstance: `…VoiceService.1.VoiceProfile.1.X` is reported as `…VoiceService.VoiceProfile.X`. */
export function shownName(ctx: ParamContext, path: string): string {
  if (!ctx.quirks.omitSingleInstance) return path;
  const segs = path.split('.');
  const out: string[] = [segs[0]!];
  let cur = `${segs[0]!}.`;
  for (const seg of segs.slice(1)) {
    const omit = /^\d+$/.test(seg) && ctx.state.instances(cur).length === 1;
    if (!omit) out.push(seg);
    cur += `${seg}.`;
  }
  return out.join('.');
}

/** The inverse of shownName: names with the single instance number left out are accepted too. */
export function canonicalName(ctx: ParamContext, name: string): string {
  if (!ctx.quirks.omitSingleInstance || name === '' || ctx.state.resolve(name)) return name;
  const isObject = name.endsWith('.');
  const segs = (isObject ? name.slice(0, -1) : name).split('.');
  const out: string[] = [segs[0]!];
  let cur = `${segs[0]!}.`;
  for (const seg of segs.slice(1)) {
    const r = ctx.state.resolve(cur);
    const ids = r?.kind === 'table' && !/^\d+$/.test(seg) ? ctx.state.instances(r.path) : [];
    if (ids.length === 1) { out.push(String(ids[0])); cur += `${ids[0]}.`; }
    out.push(seg);
    cur += `${seg}.`;
  }
  return `${out.join('.')}${isObject ? '.' : ''}`;
}

/** Every parameter named by `name` (itself, or all below a partial path); undefined = unknown (9005). */
function paramsAt(ctx: ParamContext, name: string): { def: ParamDef; path: string }[] | undefined {
  const state = ctx.state;
  const res = state.resolve(canonicalName(ctx, name));
  if (!res) return undefined;
  if (res.kind === 'param') return [{ def: res.def, path: res.path }];
  const out: { def: ParamDef; path: string }[] = [];
  state.walk(res, false, (item) => { if (item.param) out.push({ def: item.param, path: item.path }); });
  return out;
}

export function getParameterNames(ctx: ParamContext, req: GetParameterNames): GetParameterNamesResponse | Fault {
  const { state } = ctx;
  const rootPath = state.model.root.template;
  if (ctx.quirks.rejectRootGpn && !req.nextLevel && (req.parameterPath === '' || req.parameterPath === rootPath)) return cpeFault(9002);
  const res = state.resolve(canonicalName(ctx, req.parameterPath));
  if (!res) return cpeFault(9005);
  // Quirk wrongWritable: every parameter reported read-only (GenieACS skipWritableCheck, §11.3).
  const w = (param: boolean, writable: boolean): boolean => writable && !(param && ctx.quirks.wrongWritable);
  if (res.kind === 'param') {
    // §3.1: NextLevel=true with a full parameter name is invalid.
    return req.nextLevel ? cpeFault(9003)
      : { method: 'GetParameterNamesResponse', parameters: [{ name: shownName(ctx, res.path), writable: w(true, res.def.writable) }] };
  }
  if (req.parameterPath === '' && req.nextLevel) {
    return { method: 'GetParameterNamesResponse', parameters: [{ name: rootPath, writable: false }] };
  }
  const parameters = req.nextLevel ? [] : [{ name: shownName(ctx, res.path), writable: writableOf(res) }];
  state.walk(res, req.nextLevel, (item) => parameters.push({ name: shownName(ctx, item.path), writable: w(item.param !== undefined, item.writable) }));
  return { method: 'GetParameterNamesResponse', parameters };
}

function writableOf(res: Resolved): boolean {
  return res.kind === 'param' || res.kind === 'table' ? res.def.writable : res.writable;
}

export function getParameterValues(ctx: ParamContext, req: GetParameterValues): GetParameterValuesResponse | Fault {
  if (ctx.quirks.smallGpv && req.parameterNames.length > SMALL_GPV_LIMIT) return cpeFault(9002);
  const parameters: ParameterValue[] = [];
  for (const name of req.parameterNames) {
    const found = paramsAt(ctx, name);
    if (!found) return cpeFault(9005); // one unknown name fails the whole call (§3.1)
    for (const p of found) parameters.push(reportedValue(ctx, p.def, p.path));
  }
  return { method: 'GetParameterValuesResponse', parameters };
}

/** Atomic SPV: validate everything, then apply all or nothing (§3.1, §4.1). */
export function setParameterValues(ctx: ParamContext, req: SetParameterValues): SetParameterValuesResponse | Fault {
  const { state, quirks } = ctx;
  if (req.parameterKey.length > 32) return cpeFault(9003);
  if (quirks.requireParameterKey && req.parameterKey === '') return cpeFault(9003);
  const seen = new Set<string>();
  const faults: SetParameterValuesFault[] = [];
  const plan: { path: string; value: string }[] = [];
  for (const p of req.parameterList) {
    if (seen.has(p.name)) return cpeFault(9003); // the same parameter twice
    seen.add(p.name);
    const res = state.resolve(canonicalName(ctx, p.name));
    if (res?.kind !== 'param') { faults.push(spvFault(p.name, 9005)); continue; }
    if (!res.def.writable) { faults.push(spvFault(p.name, 9008)); continue; }
    if (!typeMatches(res.def, p.type)) { faults.push(spvFault(p.name, 9006)); continue; }
    const value = canonicalValue(res.def, p.value, { booleanAsInt: quirks.booleanAsInt });
    if (value === null) { faults.push(spvFault(p.name, 9007)); continue; }
    plan.push({ path: res.path, value });
  }
  if (faults.length > 0) return cpeFault(9003, faults);
  for (const p of plan) state.set(p.path, p.value);
  storeParameterKey(ctx, req.parameterKey);
  return { method: 'SetParameterValuesResponse', status: quirks.spvStatus1 ? 1 : 0 };
}

function storeParameterKey(ctx: ParamContext, key: string): void {
  // On success only (§3.1); some CPEs never update it (§11.3, quirk noParameterKeyUpdate).
  if (!ctx.quirks.noParameterKeyUpdate) ctx.state.set(ctx.state.model.family.paths.parameterKey, key);
}

export function getParameterAttributes(ctx: ParamContext, req: GetParameterAttributes): GetParameterAttributesResponse | Fault {
  const parameters: GetParameterAttributesResponse['parameters'] = [];
  for (const name of req.parameterNames) {
    const found = paramsAt(ctx, name);
    if (!found) return cpeFault(9005);
    for (const p of found) parameters.push({ name: shownName(ctx, p.path), notification: ctx.state.notification(p.path, p.def), accessList: [] });
  }
  return { method: 'GetParameterAttributesResponse', parameters };
}

/** Notification 2 (active) and 5/6 (active lightweight) are what canDeny parameters may refuse. */
const ACTIVE = new Set([2, 5, 6]);

export function setParameterAttributes(ctx: ParamContext, req: SetParameterAttributes): SetParameterAttributesResponse | Fault {
  const plan: { def: ParamDef; path: string; notification: number }[] = [];
  for (const item of req.parameterList) {
    const found = paramsAt(ctx, item.name);
    if (!found) return cpeFault(9005);
    if (!item.notificationChange) continue; // AccessList is accepted and ignored (only "Subscriber" exists)
    if (!Number.isInteger(item.notification) || item.notification < 0 || item.notification > 6) return cpeFault(9003);
    for (const p of found) {
      if (ACTIVE.has(item.notification) && p.def.canDeny) return cpeFault(9009);
      plan.push({ ...p, notification: item.notification });
    }
  }
  for (const p of plan) ctx.state.setNotification(p.path, p.def, p.notification);
  return { method: 'SetParameterAttributesResponse' };
}

export function addObject(ctx: ParamContext, req: AddObject): AddObjectResponse | Fault {
  if (req.parameterKey.length > 32) return cpeFault(9003);
  const res = ctx.state.resolve(canonicalName(ctx, req.objectName));
  // A read-only table (firmware-created lines) cannot grow: 9005 (§5.3).
  if (res?.kind !== 'table' || !res.def.writable) return cpeFault(9005);
  if (isFixed(ctx, res.def.template)) return cpeFault(9004); // all its instances exist already
  if (ctx.state.instances(res.path).length >= MAX_INSTANCES_PER_TABLE) return cpeFault(9004);
  const instanceNumber = ctx.state.addInstance(res.path);
  storeParameterKey(ctx, req.parameterKey);
  return { method: 'AddObjectResponse', instanceNumber, status: 0 };
}

function isFixed(ctx: ParamContext, tableTemplate: string): boolean {
  return ctx.state.model.family.fixedTables?.includes(tableTemplate) === true;
}

export function deleteObject(ctx: ParamContext, req: DeleteObject): DeleteObjectResponse | Fault {
  if (req.parameterKey.length > 32) return cpeFault(9003);
  const res = ctx.state.resolve(canonicalName(ctx, req.objectName));
  if (res?.kind !== 'object' || !/\.\d+\.$/.test(res.path) || !res.writable) return cpeFault(9005);
  // Aastra: deleting one of the fixed VoiceProfiles restores that line to its defaults.
  if (isFixed(ctx, res.def.template.replace(/\{i\}\.$/, ''))) ctx.state.restoreInstance(res.path);
  else ctx.state.deleteInstance(res.path);
  storeParameterKey(ctx, req.parameterKey);
  return { method: 'DeleteObjectResponse', status: 0 };
}
