// Applying a CPE's answer to the request in flight: store what it tells us about the device,
// finish or retry the task, record faults as data (STYLE habit 7).

import type { CpeResponse, Fault, AcsRequest } from '../../protocols/cwmp/types.ts';
import type { TaskRow } from '../../store/tasks.ts';
import type { Repos } from './repos.ts';

/** CPE fault codes worth retrying later: the CPE was busy or failed internally (§4.3). */
const TRANSIENT = new Set([9002, 9004, 8005]);

export interface ApplyContext {
  repos: Repos;
  deviceId: string;
  sessionId: string;
  at: string;
  now: number;
  maxRetries: number;
  backoffBase: number;
}

/** Store the effects of a successful response (inside store.commit). Returns the task result. */
export function applyResponse(c: ApplyContext, sent: AcsRequest, res: CpeResponse): unknown {
  const { repos, deviceId, at } = c;
  switch (res.method) {
    case 'GetParameterValuesResponse':
      repos.parameters.setValues(deviceId, res.parameters, at);
      return { count: res.parameters.length };
    case 'GetParameterNamesResponse':
      repos.parameters.setWritable(deviceId, res.parameters, at);
      return { count: res.parameters.length };
    case 'GetParameterAttributesResponse':
      repos.parameters.setNotification(deviceId, res.parameters, at);
      return { count: res.parameters.length };
    case 'SetParameterValuesResponse':
      if (sent.method === 'SetParameterValues') repos.parameters.setValues(deviceId, sent.parameterList, at);
      return { status: res.status, rebootRequired: res.status === 1 };
    case 'SetParameterAttributesResponse':
      if (sent.method === 'SetParameterAttributes') {
        repos.parameters.setNotification(deviceId, sent.parameterList.filter((p) => p.notificationChange), at);
      }
      return {};
    case 'AddObjectResponse':
      return { instanceNumber: res.instanceNumber, status: res.status,
        object: sent.method === 'AddObject' ? `${sent.objectName}${res.instanceNumber}.` : undefined };
    case 'DeleteObjectResponse':
      if (sent.method === 'DeleteObject') repos.parameters.deleteSubtree(deviceId, sent.objectName);
      return { status: res.status };
    case 'DownloadResponse':
    case 'UploadResponse':
      return { status: res.status, startTime: res.startTime, completeTime: res.completeTime };
    case 'GetRPCMethodsResponse':
      return { methods: res.methods };
    default:
      return {};
  }
}

/** Record a CPE fault for the task; retry transient ones with exponential back-off. */
export function applyFault(c: ApplyContext, task: TaskRow | null, method: string, fault: Fault): 'retry' | 'fault' {
  const detail = fault.setParameterValuesFaults.length > 0 ? { parameters: fault.setParameterValuesFaults } : null;
  c.repos.faults.add({ deviceId: c.deviceId, taskId: task?.id ?? null, sessionId: c.sessionId, method, code: String(fault.code),
    message: fault.string || fault.faultString, detail, at: c.at });
  const result = { fault: { code: fault.code, message: fault.string || fault.faultString, ...(detail ?? {}) } };
  if (!task) return 'fault';
  if (TRANSIENT.has(fault.code) && task.attempts < c.maxRetries) {
    c.repos.tasks.requeue(task.id, c.now + backoff(c.backoffBase, task.attempts), result, c.at);
    return 'retry';
  }
  c.repos.tasks.finish(task.id, 'fault', result, c.at);
  return 'fault';
}

/** base · 2^(attempt-1), capped at one hour, with ±20 % jitter so phones do not retry in step. */
export function backoff(base: number, attempts: number): number {
  const raw = Math.min(3_600_000, base * 2 ** Math.max(0, attempts - 1));
  return Math.round(raw * (0.8 + Math.random() * 0.4));
}
