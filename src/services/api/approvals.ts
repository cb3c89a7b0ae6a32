// Dual approval (DESIGN "Management plane": dual approval for local template overrides and
// firmware rollouts). A route that changes something of an approval kind calls `gate` once it has
// validated the request and before it changes anything: a user's request is then stored as it
// was made and answered 202 with the approval's id. Another user holding the route's permission
// approves it — the stored request is executed then, as the requester (with the requester's role
// at that moment), through the same route and its checks — or anyone with that permission, or the
// requester, rejects it. Every step is audited; pending requests expire (api.approvals.expireAfter).

import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiConfig } from '../../core/config/schema.ts';
import { OutpostError } from '../../core/errors.ts';
import type { Store } from '../../store/index.ts';
import { ApprovalRepo, type ApprovalRow } from '../../store/approvals.ts';
import type { UserRepo } from '../../store/users.ts';
import { can, isRole, type Permission, type Principal } from './access.ts';

export type ApprovalKind = 'templates';
export const APPROVAL_HEADER = 'x-outpost-approval';

export class Approvals {
  readonly repo: ApprovalRepo;
  readonly #store: Store;
  readonly #cfg: ApiConfig['approvals'];
  readonly #users: UserRepo;
  readonly #secret = randomBytes(32).toString('base64url');
  readonly #executing = new Map<number, { requester: string; approver: string }>();
  #app: FastifyInstance | null = null;

  constructor(store: Store, cfg: ApiConfig['approvals'], users: UserRepo) {
    this.#store = store;
    this.#cfg = cfg;
    this.#users = users;
    this.repo = new ApprovalRepo(store);
  }

  /** The root app, to execute approved requests through their own route. */
  attach(app: FastifyInstance): void { this.#app = app; }

  /** True when the change must wait for a second approval (the 202 answer is sent). */
  async gate(req: FastifyRequest, reply: FastifyReply, kind: ApprovalKind, summary: string): Promise<boolean> {
    const p = req.principal!;
    if (!this.#cfg[kind] || p.kind !== 'user' || p.approvedBy) return false;
    const permission = req.routeOptions.config.permission ?? 'admin';
    const id = await this.#store.commit(() => this.repo.create({
      kind, summary, permission, method: req.method, url: req.url, contentType: req.headers['content-type'] ?? null,
      body: req.body === undefined ? null : JSON.stringify(req.body), requester: p.name, source: req.ip, ttlMs: this.#cfg.expireAfter,
    }));
    req.auditDetail = `approval ${id} requested: ${summary}`;
    const { body: _b, ...row } = this.repo.get(id)!;
    void _b;
    await reply.code(202).send({ approval: row, message: `waiting for a second user with ${permission} to approve (POST /api/v1/approvals/${id}/approve)` });
    return true;
  }

  /** The requester, for a request executed on approval (header `<id>.<secret>` from `approve`). */
  principalFor(header: string | string[] | undefined): Principal | null {
    if (typeof header !== 'string') return null;
    const [idText, secret] = header.split('.', 2);
    const run = this.#executing.get(Number(idText));
    if (!run || !secret || secret.length !== this.#secret.length || !timingSafeEqual(Buffer.from(secret), Buffer.from(this.#secret))) return null;
    const u = this.#users.get(run.requester);
    if (!u || u.disabled || !isRole(u.role)) return null;
    return { kind: 'user', name: u.username, role: u.role, session: null, approvedBy: run.approver };
  }

  async approve(id: number, approver: Principal): Promise<ApprovalRow> {
    const row = this.#decidable(id);
    if (approver.kind !== 'user') throw new OutpostError('API_FORBIDDEN', 'an approval needs a person: log in as a user');
    if (approver.name.toLowerCase() === row.requester.toLowerCase()) throw new OutpostError('API_FORBIDDEN', 'a change cannot be approved by the user who asked for it');
    if (!can(approver.role, row.permission as Permission)) throw new OutpostError('API_FORBIDDEN', `approving needs the ${row.permission} permission`);
    if (!await this.#store.commit(() => this.repo.decide(id, 'approved', approver.name))) throw new OutpostError('API_CONFLICT', `approval ${id} was decided meanwhile`);
    this.#executing.set(id, { requester: row.requester, approver: approver.name });
    try {
      const res = await this.#app!.inject({
        method: row.method as 'PUT', url: row.url, ...(row.body !== null ? { payload: row.body } : {}),
        headers: { ...(row.contentType ? { 'content-type': row.contentType } : {}), [APPROVAL_HEADER]: `${id}.${this.#secret}` },
      });
      await this.#store.commit(() => this.repo.finish(id, res.statusCode < 400 ? 'executed' : 'failed', { status: res.statusCode, body: res.body }));
    } finally {
      this.#executing.delete(id);
    }
    return this.repo.get(id)!;
  }

  async reject(id: number, by: Principal): Promise<ApprovalRow> {
    const row = this.#decidable(id);
    const own = by.kind === 'user' && by.name.toLowerCase() === row.requester.toLowerCase();
    if (!own && !can(by.role, row.permission as Permission)) throw new OutpostError('API_FORBIDDEN', `rejecting needs the ${row.permission} permission`);
    if (!await this.#store.commit(() => this.repo.decide(id, 'rejected', by.name))) throw new OutpostError('API_CONFLICT', `approval ${id} was decided meanwhile`);
    return this.repo.get(id)!;
  }

  #decidable(id: number): ApprovalRow {
    const row = Number.isInteger(id) ? this.repo.get(id) : null;
    if (!row) throw new OutpostError('API_NOT_FOUND', `approval ${id}`);
    if (row.status !== 'pending') throw new OutpostError('API_CONFLICT', `approval ${id} is ${row.status}`);
    return row;
  }
}
