import { expect } from 'chai';
import { startFixtureApp } from '../../support/fixture-app';
import type { TestApp } from '../../support/harness';

describe('static files', () => {
  let t: TestApp;
  before(async () => {
    t = await startFixtureApp();
  });
  after(() => t.close());

  it('serves the shell\'s and the vendor files to GET and HEAD, whatever the case of the path, with the security headers', async () => {
    for (const path of ['/static/shell/tessera.css', '/STATIC/SHELL/tessera.css', '/static/vendor/chart.umd.js']) {
      const res = await t.request().get(path).expect(200);
      expect(res.headers['content-security-policy']).to.contain("default-src 'self'");
      expect(res.headers['cache-control']).to.match(/max-age=/);
    }
    await t.request().head('/static/shell/tessera.css').expect(200);
  });

  it('answers a missing file with the 404 page, and another method as any page would', async () => {
    const missing = await t.request().get('/static/shell/nothing.css').expect(404);
    expect(missing.headers['content-type']).to.match(/html/);
    const posted = await t.request().post('/static/shell/tessera.css').type('form').send('a=1');
    expect(posted.status).to.equal(403);
    const options = await t.request().options('/static/vendor/chart.umd.js');
    expect(options.status).to.equal(404);
  });
});
