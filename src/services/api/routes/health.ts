// GET /api/v1/health — every raised condition with code, severity and since (STYLE habit 12).
import type { RouteModule } from './index.ts';

const routes: RouteModule = (app, ctx) => {
  app.get('/health', async () => ({ status: ctx.health.status(), conditions: ctx.health.list(), site: ctx.root.site.id }));
};
export default routes;
