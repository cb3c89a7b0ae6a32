// Dispatch of every ACS → CPE request (types.ts AcsRequest) for a simulated phone
// (tr069-protocol.md §3.1). Parameter RPCs act on the state at once; Reboot, FactoryReset,
// transfers and ScheduleInform are recorded for the phone to carry out after the session.

import type { AcsRequest, CpeResponse, Fault } from '../../src/protocols/cwmp/types.ts';
import { cpeFault, type FaultInjector } from './faults.ts';
import {
  addObject, deleteObject, getParameterAttributes, getParameterNames, getParameterValues, setParameterAttributes,
  setParameterValues, type ParamContext,
} from './rpc-params.ts';
import { MAX_QUEUED, UNKNOWN_TIME, type Transfer, type TransferKind } from './transfers.ts';

/** What the phone gives the dispatcher besides its state. */
export interface RpcHost extends ParamContext {
  faults: FaultInjector;
  /** Transfers not yet reported (queued, running, or done awaiting TransferComplete). */
  transfers: Transfer[];
  reboot(commandKey: string): void;
  factoryReset(): void;
  scheduleInform(delaySeconds: number, commandKey: string): void;
}

export function handleAcsRequest(host: RpcHost, req: AcsRequest): CpeResponse | Fault {
  if (!host.state.model.family.rpcMethods.includes(req.method)) return cpeFault(9000);
  const injected = host.faults.takeRpc(req.method);
  if (injected !== undefined) return cpeFault(injected);
  switch (req.method) {
    case 'GetRPCMethods': return { method: 'GetRPCMethodsResponse', methods: [...host.state.model.family.rpcMethods] };
    case 'GetParameterNames': return getParameterNames(host, req);
    case 'GetParameterValues': return getParameterValues(host, req);
    case 'SetParameterValues': return setParameterValues(host, req);
    case 'GetParameterAttributes': return getParameterAttributes(host, req);
    case 'SetParameterAttributes': return setParameterAttributes(host, req);
    case 'AddObject': return addObject(host, req);
    case 'DeleteObject': return deleteObject(host, req);
    case 'Reboot':
      host.reboot(req.commandKey);
      return { method: 'RebootResponse' };
    case 'FactoryReset':
      host.factoryReset();
      return { method: 'FactoryResetResponse' };
    case 'ScheduleInform':
      host.scheduleInform(req.delaySeconds, req.commandKey);
      return { method: 'ScheduleInformResponse' };
    case 'Download':
    case 'Upload':
    case 'ScheduleDownload':
      return queueTransfer(host, req);
    case 'CancelTransfer':
      return cancelTransfer(host, req.commandKey);
  }
}

type TransferRequest = Extract<AcsRequest, { method: TransferKind }>;

function queueTransfer(host: RpcHost, req: TransferRequest): CpeResponse | Fault {
  let url: URL;
  try { url = new URL(req.url); } catch { return cpeFault(9003); }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return cpeFault(9013);
  if (req.fileType.trim() === '' || req.commandKey.length > 32) return cpeFault(9003);
  if (host.transfers.filter((t) => t.state !== 'done').length >= MAX_QUEUED) return cpeFault(9004);
  let delaySeconds: number;
  if (req.method === 'ScheduleDownload') {
    const w = req.timeWindows;
    if (w.length < 1 || w.length > 2 || w.some((x) => x.windowEnd < x.windowStart)) return cpeFault(9003);
    delaySeconds = w[0]!.windowStart;
  } else delaySeconds = req.delaySeconds;
  host.transfers.push({
    kind: req.method, commandKey: req.commandKey, fileType: req.fileType, url: req.url, username: req.username,
    password: req.password, fileSize: req.method === 'Upload' ? 0 : req.fileSize, delaySeconds, state: 'queued',
  });
  if (req.method === 'ScheduleDownload') return { method: 'ScheduleDownloadResponse' };
  // Status 1: not done yet, the result comes with TransferComplete (Unknown Time, §3.1).
  const body = { status: 1, startTime: UNKNOWN_TIME, completeTime: UNKNOWN_TIME };
  return req.method === 'Download' ? { method: 'DownloadResponse', ...body } : { method: 'UploadResponse', ...body };
}

function cancelTransfer(host: RpcHost, commandKey: string): CpeResponse | Fault {
  const matching = host.transfers.filter((t) => t.commandKey === commandKey);
  // Only a transfer that has not started may be cancelled (9021 otherwise, §3.1). A key the phone
  // no longer knows belongs to a transfer that already completed and was reported: too late too.
  if (matching.length === 0 || matching.some((t) => t.state !== 'queued')) return cpeFault(9021);
  host.transfers.splice(0, host.transfers.length, ...host.transfers.filter((t) => t.commandKey !== commandKey));
  return { method: 'CancelTransferResponse' };
}
