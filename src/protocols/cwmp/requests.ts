// Building ACS → CPE requests from task arguments (the JSON the API accepts), validated with the
// XSD limits of tr069-protocol.md §3 (CommandKey/ParameterKey ≤ 32, names and URLs ≤ 256).
// Unknown fields are refused so a typo never turns into a silently different RPC.

import { z } from 'zod';
import { OutpostError } from '../../core/errors.ts';
import type { AcsRequest, AcsRpcMethod } from './types.ts';

const key32 = z.string().max(32).default('');
const name256 = z.string().min(1).max(256);
const url256 = z.string().max(256);
const uint = z.number().int().min(0).max(4294967295);
const xsdType = z.string().regex(/^xsd:[A-Za-z0-9]+$/).default('xsd:string');

const SCHEMAS = {
  GetRPCMethods: z.object({}).strict(),
  GetParameterNames: z.object({ parameterPath: z.string().max(256).default(''), nextLevel: z.boolean().default(false) }).strict(),
  GetParameterValues: z.object({ parameterNames: z.array(z.string().max(256)).min(1) }).strict(),
  SetParameterValues: z.object({
    parameterList: z.array(z.object({ name: name256, value: z.union([z.string(), z.number(), z.boolean()]).transform(String), type: xsdType }).strict()).min(1)
      .refine((l) => new Set(l.map((p) => p.name)).size === l.length, 'the same parameter must not appear twice (TR-069 fault 9003)'),
    parameterKey: key32,
  }).strict(),
  GetParameterAttributes: z.object({ parameterNames: z.array(z.string().max(256)).min(1) }).strict(),
  SetParameterAttributes: z.object({
    parameterList: z.array(z.object({
      name: z.string().max(256), notificationChange: z.boolean().default(true), notification: z.number().int().min(0).max(6).default(0),
      accessListChange: z.boolean().default(false), accessList: z.array(z.string().max(64)).default([]),
    }).strict()).min(1),
  }).strict(),
  AddObject: z.object({ objectName: name256.regex(/\.$/, 'must end with "."'), parameterKey: key32 }).strict(),
  DeleteObject: z.object({ objectName: name256.regex(/\.\d+\.$|\.\[[^\]]+\]\.$/, 'must name an instance ending in "."'), parameterKey: key32 }).strict(),
  Reboot: z.object({ commandKey: key32 }).strict(),
  FactoryReset: z.object({}).strict(),
  Download: z.object({
    commandKey: key32, fileType: z.string().max(64).default('1 Firmware Upgrade Image'), url: url256.default(''),
    /** A file in the ACS firmware store; the ACS fills url and fileSize when given. */
    file: z.string().regex(/^[A-Za-z0-9._-]+$/).optional(),
    username: z.string().max(256).default(''), password: z.string().max(256).default(''), fileSize: uint.default(0),
    targetFileName: z.string().max(256).default(''), delaySeconds: uint.default(0), successUrl: url256.default(''), failureUrl: url256.default(''),
  }).strict().refine((a) => a.url !== '' || a.file !== undefined, 'url or file is needed'),
  Upload: z.object({
    commandKey: key32, fileType: z.string().max(64).default('1 Vendor Configuration File'),
    /** Empty: the ACS's own upload endpoint with a one-time token. */
    url: url256.default(''), username: z.string().max(256).default(''), password: z.string().max(256).default(''), delaySeconds: uint.default(0),
  }).strict(),
  ScheduleInform: z.object({ delaySeconds: uint.refine((n) => n > 0, 'must be > 0'), commandKey: key32 }).strict(),
  ScheduleDownload: z.object({
    commandKey: key32, fileType: z.string().max(64).default('1 Firmware Upgrade Image'), url: url256.default(''),
    file: z.string().regex(/^[A-Za-z0-9._-]+$/).optional(),
    username: z.string().max(256).default(''), password: z.string().max(256).default(''), fileSize: uint.default(0),
    targetFileName: z.string().max(256).default(''),
    timeWindows: z.array(z.object({ windowStart: uint, windowEnd: uint, windowMode: z.string().max(64).default('1 At Any Time'),
      userMessage: z.string().max(256).default(''), maxRetries: z.number().int().min(-1).default(0) }).strict()).min(1).max(2),
  }).strict().refine((a) => a.url !== '' || a.file !== undefined, 'url or file is needed'),
  CancelTransfer: z.object({ commandKey: key32 }).strict(),
} satisfies Record<AcsRpcMethod, z.ZodType>;

export type TaskArgs<M extends AcsRpcMethod> = z.infer<(typeof SCHEMAS)[M]>;

export function isAcsRpcMethod(m: string): m is AcsRpcMethod {
  return Object.hasOwn(SCHEMAS, m);
}

/** Validate task arguments; returns the normalised arguments (defaults filled in). */
export function validateTaskArgs(method: string, args: unknown): Record<string, unknown> {
  if (!isAcsRpcMethod(method)) throw new OutpostError('ACS_TASK_INVALID', `unknown RPC '${method}'; one of ${Object.keys(SCHEMAS).join(', ')}`);
  const r = SCHEMAS[method].safeParse(args ?? {});
  if (!r.success) {
    throw new OutpostError('ACS_TASK_INVALID', r.error.issues.map((i) => `${[method, ...i.path.map(String)].join('.')}: ${i.message}`).join('; '));
  }
  return r.data as Record<string, unknown>;
}

/** Turn validated task arguments into the request the serializer sends. */
export function buildAcsRequest(method: AcsRpcMethod, args: Record<string, unknown>): AcsRequest {
  const a: unknown = validateTaskArgs(method, args);
  switch (method) {
    case 'Download': {
      const { file: _f, ...rest } = a as TaskArgs<'Download'>;
      return { method, ...rest };
    }
    case 'ScheduleDownload': {
      const { file: _f, ...rest } = a as TaskArgs<'ScheduleDownload'>;
      return { method, ...rest };
    }
    default:
      return { method, ...(a as object) } as AcsRequest;
  }
}
