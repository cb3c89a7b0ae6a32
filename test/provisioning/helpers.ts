// Shared pieces of the provisioning tests.
import { randomBytes } from 'node:crypto';
import { openStore, type Store } from '../../src/store/index.ts';
import { FakeClock } from '../../src/core/clock.ts';
import { secretBox } from '../../src/core/secrets.ts';

/** An in-memory store with all migrations and a fresh secret key. */
export function memStore(clock = new FakeClock()): Store {
  return openStore({ file: ':memory:', clock, secrets: secretBox(randomBytes(32)) });
}

import { SimPhone } from '../sim/phone.ts';
import { handleAcsRequest, type RpcHost } from '../sim/rpc.ts';
import { FaultInjector } from '../sim/faults.ts';
import type { Quirks } from '../sim/quirks.ts';
import { Planner, type PlannerOptions } from '../../src/provisioning/planner.ts';
import { candidateProfiles } from '../../src/provisioning/profiles-vendor.ts';
import type { Values } from '../../src/provisioning/content.ts';

/** A simulated phone's RPC side without any network: the planner talks to it directly. */
export function offlinePhone(model: string, quirks: Quirks = {}, serial = 'OFF0001'): { phone: SimPhone; host: RpcHost } {
  const phone = new SimPhone({ model, serial, acsUrl: 'https://acs.invalid/', quirks });
  const host: RpcHost = { state: phone.state, quirks, faults: new FaultInjector(), transfers: [], reboot: () => {}, factoryReset: () => {}, scheduleInform: () => {} };
  return { phone, host };
}

export function plannerFor(root: string, values: Values, o: Partial<PlannerOptions> & { oui?: string } = {}): Planner {
  return new Planner({
    root, profiles: candidateProfiles(root, o.oui ?? '00A1B2'), tree: null, rpcMethods: null, values, known: new Map(), notified: new Set(),
    secretsSet: new Map(), writeDrift: true, boolDigits: false, parameterKey: 'op-test', verify: true,
    activeNotification: true, maxBatch: 100, ...o,
  });
}

/** Run a plan to the end against an offline phone; returns the RPC methods sent. */
export function runPlan(planner: Planner, host: RpcHost, limit = 100): string[] {
  const methods: string[] = [];
  for (let req = planner.next(); req; req = planner.next()) {
    if (methods.length >= limit) throw new Error(`plan did not finish in ${limit} RPCs: ${methods.join(', ')}`);
    methods.push(req.method);
    planner.apply(req, handleAcsRequest(host, req));
  }
  return methods;
}
