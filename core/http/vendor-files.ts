import path from 'node:path';
import express from 'express';

/**
 * Browser libraries the app serves itself from node_modules, since the CSP allows scripts from 'self'
 * only: chart.js for every module's charts, swagger-ui for the API reference page, html5-qrcode for
 * scanning a code with the camera or from a picture. Fixed files, never
 * a path taken from the request.
 */
export function mountVendorFiles(app: express.Router): void {
  const chartDir = path.dirname(require.resolve('chart.js'));
  app.get('/static/vendor/chart.umd.js', (_req, res) => {
    res.sendFile(path.join(chartDir, 'chart.umd.js'), { maxAge: '1d' });
  });
  const qrDir = path.dirname(require.resolve('html5-qrcode/package.json'));
  app.get('/static/vendor/html5-qrcode.min.js', (_req, res) => {
    res.sendFile(path.join(qrDir, 'html5-qrcode.min.js'), { maxAge: '1d' });
  });
  const swaggerDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css']) {
    app.get(`/static/vendor/swagger-ui/${file}`, (_req, res) => {
      res.sendFile(path.join(swaggerDir, file), { maxAge: '1d' });
    });
  }
}
