// CPE fault responses (tr069-protocol.md §4.1, §4.3) and per-method fault injection for tests.

import type { AcsRpcMethod, Fault, SetParameterValuesFault } from '../../src/protocols/cwmp/types.ts';

/** CPE fault strings and SOAP faultcode (§4.3; mapping from easycwmp/icwmp). */
const CPE_FAULTS: Record<number, [string, 'Client' | 'Server']> = {
  9000: ['Method not supported', 'Server'],
  9001: ['Request denied', 'Server'],
  9002: ['Internal error', 'Server'],
  9003: ['Invalid arguments', 'Client'],
  9004: ['Resources exceeded', 'Server'],
  9005: ['Invalid parameter name', 'Client'],
  9006: ['Invalid parameter type', 'Client'],
  9007: ['Invalid parameter value', 'Client'],
  9008: ['Attempt to set a non-writable parameter', 'Client'],
  9009: ['Notification request rejected', 'Server'],
  9010: ['File transfer failure', 'Server'],
  9011: ['Upload failure', 'Server'],
  9012: ['File transfer server authentication failure', 'Server'],
  9013: ['Unsupported protocol for file transfer', 'Server'],
  9015: ['File transfer failure: unable to contact file server', 'Server'],
  9016: ['File transfer failure: unable to access file', 'Server'],
  9017: ['File transfer failure: unable to complete download', 'Server'],
  9018: ['File transfer failure: file corrupted', 'Server'],
  9019: ['File transfer failure: file authentication failure', 'Server'],
  9021: ['Cancelation of file transfer not permitted in current transfer state', 'Server'],
};

export function faultString(code: number): string {
  return CPE_FAULTS[code]?.[0] ?? (code >= 9800 ? 'Vendor fault' : 'Fault');
}

export function cpeFault(code: number, spv: SetParameterValuesFault[] = []): Fault {
  return {
    method: 'Fault', faultCode: CPE_FAULTS[code]?.[1] ?? 'Server', faultString: 'CWMP fault', code,
    string: faultString(code), setParameterValuesFaults: spv,
  };
}

export function spvFault(name: string, code: number): SetParameterValuesFault {
  return { name, code, string: faultString(code) };
}

interface Injection { code: number; remaining: number }

/** Faults a test wants the phone to answer instead of doing the method. */
export class FaultInjector {
  #rpc = new Map<string, Injection>();
  #transfer: Injection | undefined;

  /** The next `times` requests of `method` are answered with fault `code` (Infinity = until cleared). */
  rpc(method: AcsRpcMethod, code: number, times = 1): void {
    this.#rpc.set(method, { code, remaining: times });
  }

  /** The next `times` transfers (Download/Upload/ScheduleDownload) end with FaultStruct `code`. */
  transfer(code: number, times = 1): void {
    this.#transfer = { code, remaining: times };
  }

  clear(): void {
    this.#rpc.clear();
    this.#transfer = undefined;
  }

  takeRpc(method: string): number | undefined {
    return take(this.#rpc.get(method), () => this.#rpc.delete(method));
  }

  takeTransfer(): number | undefined {
    return take(this.#transfer, () => { this.#transfer = undefined; });
  }
}

function take(inj: Injection | undefined, drop: () => void): number | undefined {
  if (!inj) return undefined;
  inj.remaining--;
  if (inj.remaining <= 0) drop();
  return inj.code;
}
