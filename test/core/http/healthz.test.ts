import { expect } from 'chai';
import sinon from 'sinon';
import { startFixtureApp } from '../../support/fixture-app';
import type { TestApp } from '../../support/harness';

describe('GET /healthz', () => {
  let t: TestApp;
  before(async () => {
    t = await startFixtureApp();
  });
  after(() => t.close());
  afterEach(() => sinon.restore());

  it('answers 200 with the database and the queue both answering', async () => {
    const res = await t.request().get('/healthz').expect(200);
    expect(res.body.status).to.equal('ok');
    expect(res.body.down).to.deep.equal([]);
    expect(res.body.database.ok).to.equal(true);
    expect(res.body.queue).to.include({ ok: true, kind: process.env.REDIS_URL ? 'bull' : 'local' });
  });

  it('answers 503 and names the part that does not answer', async () => {
    sinon.stub(t.kernel.queue, 'ping').rejects(new Error('connection refused'));
    const res = await t.request().get('/healthz').expect(503);
    expect(res.body.status).to.equal('degraded');
    expect(res.body.down).to.deep.equal(['queue']);
    expect(res.body.queue).to.include({ ok: false, error: 'connection refused' });
    expect(res.body.database.ok).to.equal(true);
  });
});
