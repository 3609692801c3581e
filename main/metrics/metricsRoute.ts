// GET /metrics (SPEC §11): the Prometheus text format, for the admin key or a key with the `metrics` scope sent
// in a header (admission refuses every other principal and the browser session before this runs).
import type { LocalRoute } from '../http/localRoute';
import type { MetricsService } from './metricsService';

export function metricsRoute(metrics: Pick<MetricsService, 'render'>): LocalRoute {
  return {
    methods: ['GET', 'HEAD'],
    path: '/metrics',
    auth: 'any',
    async handle({ req, res }) {
      const { contentType, body } = await metrics.render();
      res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    },
  };
}
