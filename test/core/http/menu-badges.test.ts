import { expect } from 'chai';
import { MenuBadges } from '../../../core/http/menu-badges';
import type { MenuItem } from '../../../core/http/menus';
import type { RequestContext } from '../../../core/security/request-context';

describe('menu badges', () => {
  const ctx = {} as RequestContext;
  const item = (id: string, badgeSource?: string, children: MenuItem[] = []): MenuItem => ({ id, label: id, path: `/${id}`, active: false, children, ...(badgeSource ? { badgeSource } : {}) });
  const quiet = { warn: () => undefined } as any;

  it('runs each source once for the entries shown, caps at 99+, and shows nothing for 0', async () => {
    const badges = new MenuBadges(quiet);
    let calls = 0;
    badges.register('a', 'a.pending', async () => (calls++, 4));
    badges.register('b', 'b.many', async () => 250);
    badges.register('c', 'c.none', async () => 0);
    const menus = [item('a', 'a.pending', [item('a.list', 'a.pending')]), item('b', 'b.many'), item('c', 'c.none'), item('d', 'd.unfilled')];
    await badges.fill(menus, ctx);
    expect(calls).to.equal(1);
    expect(menus.map((m) => m.badge ?? null)).to.deep.equal(['4', '99+', null, null]);
    expect(menus[0].children[0].badge).to.equal('4');
  });

  it('draws the page without a badge whose source fails, and refuses a badge filled twice', async () => {
    const warnings: unknown[] = [];
    const badges = new MenuBadges({ warn: (o: unknown) => warnings.push(o) } as any);
    badges.register('a', 'a.broken', async () => {
      throw new Error('database away');
    });
    const menus = [item('a', 'a.broken')];
    await badges.fill(menus, ctx);
    expect(menus[0].badge).to.equal(undefined);
    expect(warnings).to.have.length(1);
    expect(() => badges.register('b', 'a.broken', async () => 1)).to.throw('filled twice');
  });
});
