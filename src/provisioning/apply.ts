// Applying a CPE's answer to the planner's request (the other half of planner.ts): what the
// answer teaches about the device, and how faults are isolated per parameter (§4.3 codes).

import type { AcsRequest, CpeResponse, Fault } from '../protocols/cwmp/types.ts';
import type { Planner } from './planner.ts';

export function applyResponse(pl: Planner, sent: AcsRequest, res: CpeResponse): void {
  const fx = pl.effects;
  switch (res.method) {
    case 'GetRPCMethodsResponse':
      pl.rpcMethods = res.methods;
      return;
    case 'GetParameterNamesResponse':
      for (const p of res.parameters) pl.tree.add(p.name, p.writable);
      fx.names.push(...res.parameters);
      return;
    case 'GetParameterValuesResponse':
      pl.queues.gpv.done();
      for (const p of res.parameters) pl.o.known.set(p.name, p.value);
      fx.values.push(...res.parameters);
      return;
    case 'SetParameterValuesResponse':
      for (const p of pl.queues.spv.done()) {
        pl.written.add(p.path);
        if (p.secret) fx.secrets.push({ path: p.path, value: p.want });
        else pl.o.known.set(p.path, p.wire);
        fx.values.push({ name: p.path, value: p.wire, type: p.type });
      }
      if (res.status === 1) pl.noteStatus1();
      return;
    case 'SetParameterAttributesResponse':
      for (const name of pl.queues.spa.done()) fx.notifications.push({ name, notification: 2 });
      return;
    case 'AddObjectResponse':
      if (sent.method === 'AddObject') {
        pl.tree.addInstance(sent.objectName, res.instanceNumber);
        pl.added++;
        fx.names.push({ name: `${sent.objectName}${res.instanceNumber}.`, writable: true });
      }
      return;
    default:
      return;
  }
}

/** A parameter the device no longer has (9005 on it alone): stop managing it on this device. */
function dropPath(pl: Planner, path: string): void {
  pl.tree.drop(path);
  pl.exp.params = pl.exp.params.filter((p) => p.path !== path);
}

export function applyFault(pl: Planner, sent: AcsRequest, f: Fault): void {
  const msg = f.string || f.faultString || `fault ${f.code}`;
  switch (sent.method) {
    case 'GetParameterValues': {
      const alone = pl.queues.gpv.fault(f.code);
      // 9005 on one name: a firmware dropped it (models/README.md); other faults: unreadable,
      // the value stays unknown and is written.
      if (alone !== null && f.code === 9005) dropPath(pl, alone);
      return;
    }
    case 'SetParameterValues':
      spvFault(pl, f, msg);
      return;
    case 'SetParameterAttributes': {
      const alone = pl.queues.spa.fault(f.code);
      if (alone !== null) pl.notifyRefused.add(alone); // e.g. 9009 canDeny: not a compliance failure
      return;
    }
    case 'AddObject':
      pl.addRefused = { table: sent.objectName, reason: `AddObject ${sent.objectName} refused: ${f.code} ${msg}` };
      return;
    default:
      return; // GetRPCMethods / GetParameterNames (absent subtree) / Reboot: recorded, nothing to plan
  }
}

function spvFault(pl: Planner, f: Fault, msg: string): void {
  const q = pl.queues.spv;
  const batch = q.inFlight ?? [];
  const named = new Set(f.setParameterValuesFaults.map((x) => x.name));
  if (!batch.some((p) => named.has(p.path))) { // no usable per-parameter detail: isolate by halving
    const alone = q.fault(f.code);
    if (alone) pl.failed.set(alone.path, { code: f.code, message: msg });
    return;
  }
  q.done();
  const bad = new Map(f.setParameterValuesFaults.map((x) => [x.name, x]));
  let learnedBool = false;
  const rest = [];
  for (const p of batch) {
    const b = bad.get(p.path);
    if (!b) {
      rest.push(p);
    } else if (b.code === 9007 && p.type === 'xsd:boolean' && !pl.boolDigits) {
      learnedBool = true; // §11.3: this CPE takes only 1/0
      rest.push(p);
    } else if (b.code === 9005) {
      dropPath(pl, p.path);
    } else {
      pl.failed.set(p.path, { code: b.code, message: b.string || msg });
    }
  }
  if (learnedBool) pl.useBoolDigits();
  q.requeueFront(rest);
}
