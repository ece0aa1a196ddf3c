import { expect } from 'chai';
import { makePlan, pay, schemesWorld, uniq, type SchemesWorld } from './schemes-fixtures';

describe('schemes pages name customers and shops @integration', function () {
  // Booting every module and migrating a fresh MariaDB takes a while on a loaded machine.
  this.timeout(Math.max(this.timeout(), 90_000));
  let w: SchemesWorld;

  before(async () => {
    w = await schemesWorld();
  });

  it('the plan page, the plans list and the expiring-soon list show the customer and the shop by name', async () => {
    const last = uniq('Asante');
    const customer = await w.customers.create(w.ctx, { first_name: 'Yaw', last_name: last, shop_id: w.shops[1], phone: `+23327${String(Date.now() % 1_000_000).padStart(6, '0')}0` } as any);
    const plan = await makePlan(w, customer.id);
    await pay(w, customer.id, 80); // 2 days: on the expiring-soon list
    const shop = await w.t.container.get<any>(Symbol.for('base.ShopService')).get(w.ctx, w.shops[1]);
    const admin = await w.t.login(w.admin.email, w.admin.password);

    const page = await admin.get(`/schemes/plans/${plan.id}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain(`${customer.code} · Yaw ${last}`).and.contain(shop.name);
    expect(page.text).to.not.contain(`Customer #${customer.id}`);

    const list = await admin.get(`/schemes/plans?customer_id=${customer.id}`);
    expect(list.status).to.equal(200);
    expect(list.text).to.contain(last).and.contain(shop.name);

    const expiring = await admin.get(`/schemes/expiring?shop_id=${w.shops[1]}`);
    expect(expiring.status).to.equal(200);
    expect(expiring.text).to.contain(`${customer.code} · Yaw ${last}`).and.contain(customer.phone).and.contain(shop.name);
    expect(expiring.text).to.not.contain(`Customer #${customer.id}`);
  });
});
