import path from 'node:path';
import { expect } from 'chai';
import { Kernel } from '../../../core/kernel/kernel';
import { ViewConflictError } from '../../../core/views/view-engine';
import { createTestDatabase, TestDatabase } from '../../support/test-database';

/*
 * Fixtures (test/fixtures/view-overrides):
 *   common/stage     page `stage/page` uses the partial `stage/banner` and declares the slot `stage.panels`
 *   common/zephyr    depends on stage; overrides `stage/banner`; fills the slot with `zephyr/panel`
 *   amber-independent/amber   depends on stage only; overrides `stage/banner` too; fills the slot twice
 *   amber-after-zephyr/amber  the same, but depends on zephyr
 * amber sorts before zephyr by name, so "the dependant wins" cannot pass by alphabetical luck.
 */
const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'view-overrides');

describe('view overrides and slots across modules', () => {
  let database: TestDatabase;
  let kernel: Kernel | null = null;

  const boot = (amberVariant: 'amber-independent' | 'amber-after-zephyr') =>
    Kernel.boot({
      modulesDir: path.join(FIXTURES, 'common'),
      runJobs: false,
      config: { databaseUrl: database.url, redisUrl: null, logLevel: 'silent', modulesPath: [path.join(FIXTURES, amberVariant)] },
    });
  const render = async (k: Kernel) => (await k.views.render('stage/page', { customer: 'Ada' }, null)).replace(/\s+/g, ' ');

  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    await kernel?.close();
    kernel = null;
    await database.drop();
  });

  it('two modules overriding one template with no dependency between them stop the start-up, both named', async () => {
    const error = await boot('amber-independent').then(
      () => null,
      (e: Error) => e,
    );

    expect(error).to.be.instanceOf(ViewConflictError);
    expect(error!.message).to.equal(
      'Modules "amber" and "zephyr" both override template "stage/banner" and neither depends on the other: add a dependency to say which one wins',
    );
  });

  it('with a dependency between them, the dependant’s override wins', async () => {
    kernel = await boot('amber-after-zephyr');

    expect(kernel.installed.map((s) => s.manifest.name)).to.deep.equal(['stage', 'zephyr', 'amber']);
    const html = await render(kernel);
    expect(html).to.contain('<p class="banner">banner of amber</p>');
    expect(html).to.not.contain('banner of zephyr');
    expect(html).to.not.contain('banner of stage');
    expect(kernel.views.ownerOf('stage/banner')).to.equal('amber');
  });

  it('slot contributions of several modules stack: all render, lower `order` first, ties in dependency order', async () => {
    kernel = await boot('amber-after-zephyr');

    const html = await render(kernel);

    const panels = [...html.matchAll(/<div class="panel">([^<]*)<\/div>/g)].map((m) => m[1]);
    expect(panels).to.deep.equal(['amber urgent panel for Ada', 'zephyr panel for Ada', 'amber panel for Ada']);
    expect(kernel.views.slotContributions('stage.panels')).to.deep.equal([
      { module: 'amber', template: 'amber/urgent' },
      { module: 'zephyr', template: 'zephyr/panel' },
      { module: 'amber', template: 'amber/panel' },
    ]);
  });
});
