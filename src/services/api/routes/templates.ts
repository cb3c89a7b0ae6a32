// Provisioning content: GET /api/v1/templates (templates, zones, rules, where the content came
// from), GET /api/v1/templates/:id (the values a template resolves to, with what it extends),
// PUT /api/v1/templates (replace the local content with YAML files — refused while a central
// bundle is in force unless `force`), POST /api/v1/templates/reload (re-read the site's YAML
// directory). Secret values are masked in every answer.
import { z } from 'zod';
import { randomBytes } from 'node:crypto';
import type { RouteModule } from './index.ts';
import { OutpostError, isOutpostError } from '../../../core/errors.ts';
import type { ProvisioningContent, Values } from '../../../provisioning/content.ts';
import { templateValues } from '../../../provisioning/desired.ts';
import { isSecretIntent } from '../../../provisioning/intents.ts';
import { parseProvisioningDocuments } from '../../../provisioning/parse.ts';
import { MASK } from '../../../provisioning/result.ts';
import { ProvisioningRepo } from '../../../store/provisioning.ts';
import { parseOr400 } from './devices.ts';

export const masked = (v: Values): Values => Object.fromEntries(Object.entries(v).map(([k, x]) => [k, isSecretIntent(k) ? MASK : x]));

const putBody = z.object({
  files: z.record(z.string().min(1).max(200).regex(/^[^/\\][^\\]*\.ya?ml$/, 'file names end with .yaml or .yml'), z.string().max(4 * 1024 * 1024)),
  force: z.boolean().default(false),
}).strict();

const routes: RouteModule = (app, ctx) => {
  const repo = new ProvisioningRepo(ctx.store);
  const content = () => repo.loadContent() as unknown as ProvisioningContent;

  app.get('/templates', async () => {
    const c = content();
    return {
      content: repo.info(),
      templates: Object.values(c.templates).map((t) => ({ ...t, values: masked(t.values) })),
      zones: Object.values(c.zones).map((z) => ({ ...z, values: masked(z.values) })),
      rules: c.rules,
    };
  });

  app.get<{ Params: { id: string } }>('/templates/:id', async (req) => {
    const c = content();
    const t = c.templates[req.params.id];
    if (!t) throw new OutpostError('API_NOT_FOUND', `template ${JSON.stringify(req.params.id.slice(0, 64))}`);
    const chain: string[] = [];
    for (let p: string | null = t.id; p && c.templates[p] && !chain.includes(p); p = c.templates[p]!.extends) chain.push(p);
    return { ...t, values: masked(t.values), chain, resolved: masked(templateValues(c, t.id)),
      usedBy: Object.values(c.zones).filter((z) => z.template === t.id).map((z) => z.id) };
  });

  app.put('/templates', { config: { permission: 'templates.write' } }, async (req, reply) => {
    const body = parseOr400(putBody, req.body);
    const info = repo.info();
    if (info.source?.kind === 'bundle' && !body.force) {
      throw new OutpostError('API_BAD_REQUEST', `a central bundle (version ${info.source.version}) is in force; send force: true for a local override`);
    }
    let parsed: ProvisioningContent;
    try {
      parsed = parseProvisioningDocuments(body.files);
    } catch (err) {
      if (isOutpostError(err)) throw err; // CONFIG_INVALID / CONFIG_PARSE with file and line
      throw new OutpostError('API_BAD_REQUEST', (err as Error).message);
    }
    const summary = `local template override: ${Object.keys(body.files).length} files, ${Object.keys(parsed.templates).length} templates, ${Object.keys(parsed.zones).length} zones`;
    if (await ctx.approvals.gate(req, reply, 'templates', summary)) return reply;
    const revision = await ctx.store.commit(() => repo.replaceContent(parsed, { kind: 'local', version: 0 }));
    ctx.log.info({ revision, files: Object.keys(body.files).length }, 'provisioning content replaced through the API');
    ctx.events.emit('provisioning.content.changed', { revision, source: 'local' });
    return { revision, templates: Object.keys(parsed.templates).length, zones: Object.keys(parsed.zones).length,
      positions: Object.keys(parsed.positions).length, rules: parsed.rules.length };
  });

  app.post('/templates/reload', { config: { permission: 'templates.write' } }, async () => {
    const requestId = randomBytes(8).toString('hex');
    const result = new Promise<{ ok: boolean; detail: string; revision: number }>((resolve) => {
      const timer = ctx.clock.setTimeout(() => { off(); resolve({ ok: false, detail: 'the ACS did not answer (provisioning disabled?)', revision: repo.info().revision }); }, 10_000);
      const off = ctx.events.on('provisioning.reload.result', (r) => { if (r.requestId === requestId) { timer.cancel(); off(); resolve(r); } });
    });
    ctx.events.emit('provisioning.reload.request', { requestId });
    const r = await result;
    if (!r.ok) throw new OutpostError('API_BAD_REQUEST', r.detail);
    return r;
  });
};
export default routes;
