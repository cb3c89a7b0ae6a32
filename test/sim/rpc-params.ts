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

/** The value as sent over CWMP: hidden parameters read back empty (§5.1). */
export function reportedValue(ctx: ParamContext, def: ParamDef, path: string): ParameterValue {
  const value = def.hidden ? '' : wireValue(def, ctx.state.valueOf(def, path), { booleanAsInt: ctx.quirks.booleanAsInt });
  return { name: path, value, type: xsdOf(def) };
}

/** Every parameter named by `name` (itself, or all below a partial path); undefined = unknown (9005). */
function paramsAt(state: PhoneState, name: string): { def: ParamDef; path: string }[] | undefined {
  const res = state.resolve(name);
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
  const res = state.resolve(req.parameterPath);
  if (!res) return cpeFault(9005);
  if (res.kind === 'param') {
    // §3.1: NextLevel=true with a full parameter name is invalid.
    return req.nextLevel ? cpeFault(9003) : { method: 'GetParameterNamesResponse', parameters: [{ name: res.path, writable: res.def.writable }] };
  }
  if (req.parameterPath === '' && req.nextLevel) {
    return { method: 'GetParameterNamesResponse', parameters: [{ name: rootPath, writable: false }] };
  }
  const parameters = req.nextLevel ? [] : [{ name: res.path, writable: writableOf(res) }];
  state.walk(res, req.nextLevel, (item) => parameters.push({ name: item.path, writable: item.writable }));
  return { method: 'GetParameterNamesResponse', parameters };
}

function writableOf(res: Resolved): boolean {
  return res.kind === 'param' || res.kind === 'table' ? res.def.writable : res.writable;
}

export function getParameterValues(ctx: ParamContext, req: GetParameterValues): GetParameterValuesResponse | Fault {
  const parameters: ParameterValue[] = [];
  for (const name of req.parameterNames) {
    const found = paramsAt(ctx.state, name);
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
    const res = state.resolve(p.name);
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
    const found = paramsAt(ctx.state, name);
    if (!found) return cpeFault(9005);
    for (const p of found) parameters.push({ name: p.path, notification: ctx.state.notification(p.path, p.def), accessList: [] });
  }
  return { method: 'GetParameterAttributesResponse', parameters };
}

/** Notification 2 (active) and 5/6 (active lightweight) are what canDeny parameters may refuse. */
const ACTIVE = new Set([2, 5, 6]);

export function setParameterAttributes(ctx: ParamContext, req: SetParameterAttributes): SetParameterAttributesResponse | Fault {
  const plan: { def: ParamDef; path: string; notification: number }[] = [];
  for (const item of req.parameterList) {
    const found = paramsAt(ctx.state, item.name);
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
  const res = ctx.state.resolve(req.objectName);
  // A fixed table (firmware-created lines) cannot grow: 9005 (§5.3).
  if (res?.kind !== 'table' || !res.def.writable) return cpeFault(9005);
  if (ctx.state.instances(res.path).length >= MAX_INSTANCES_PER_TABLE) return cpeFault(9004);
  const instanceNumber = ctx.state.addInstance(res.path);
  storeParameterKey(ctx, req.parameterKey);
  return { method: 'AddObjectResponse', instanceNumber, status: 0 };
}

export function deleteObject(ctx: ParamContext, req: DeleteObject): DeleteObjectResponse | Fault {
  if (req.parameterKey.length > 32) return cpeFault(9003);
  const res = ctx.state.resolve(req.objectName);
  if (res?.kind !== 'object' || !/\.\d+\.$/.test(res.path) || !res.writable) return cpeFault(9005);
  ctx.state.deleteInstance(res.path);
  storeParameterKey(ctx, req.parameterKey);
  return { method: 'DeleteObjectResponse', status: 0 };
}
