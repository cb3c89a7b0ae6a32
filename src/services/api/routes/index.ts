// One route file per API resource (STYLE habit 13). Each exports a RouteModule; the API service
// registers them all under /api/v1 behind bearer-token auth. Add a resource: write
// routes/<resource>.ts and list it here.
import type { FastifyInstance } from 'fastify';
import type { ApiConfig } from '../../../core/config/schema.ts';
import type { ServiceContext } from '../../context.ts';
import leases from './leases.ts';
import stun from './stun.ts';
import sync from './sync.ts';
import compliance from './compliance.ts';
import templates from './templates.ts';
import positions from './positions.ts';
import inventory from './inventory.ts';
import readiness from './readiness.ts';
import auth from './auth.ts';
import tokens from './tokens.ts';
import users from './users.ts';
import audit from './audit.ts';
import type { Access } from '../access.ts';
import type { Approvals } from '../approvals.ts';
import approvals from './approvals.ts';

export type ApiContext = ServiceContext<ApiConfig> & { access: Access; approvals: Approvals };
export type RouteModule = (app: FastifyInstance, ctx: ApiContext) => void | Promise<void>;

export const ROUTES: RouteModule[] = [leases, stun, sync, compliance, templates, positions, inventory, readiness, auth, tokens, users, audit, approvals];
