import { expect } from 'chai';
import type { TestApp } from 'tessera/testing';
import { baseTestApp } from './base-test-app';

/** The API reference page: the app's OpenAPI document rendered by swagger-ui, all served by the app itself. */
describe('base: the API reference for integrators', () => {
  let t: TestApp;

  before(async () => {
    t = await baseTestApp();
  });

  it('is linked from the API tokens page for users who may read it, and renders the OpenAPI document', async () => {
    const reader = await t.createUser({ permissions: ['base.api.read'] });
    const agent = await t.login(reader.email, reader.password);
    const tokens = await agent.get('/account/tokens').expect(200);
    expect(tokens.text).to.contain('href="/admin/api"');
    const page = await agent.get('/admin/api').expect(200);
    expect(page.text).to.contain('data-spec-url="/api/v1/openapi.json"');
    expect(page.text).to.contain('src="/static/vendor/swagger-ui/swagger-ui-bundle.js"');
    expect(page.text).to.contain('src="/static/base/api-reference.js"');
    await agent.get('/api/v1/openapi.json').expect(200);
    for (const file of ['/static/vendor/swagger-ui/swagger-ui-bundle.js', '/static/vendor/swagger-ui/swagger-ui.css', '/static/base/api-reference.js']) await t.request().get(file).expect(200);
  });

  it('is neither linked nor open for users who may not read it', async () => {
    const other = await t.createUser({ permissions: [] });
    const agent = await t.login(other.email, other.password);
    const tokens = await agent.get('/account/tokens').expect(200);
    expect(tokens.text).not.to.contain('href="/admin/api"');
    await agent.get('/admin/api').expect(403);
  });
});
