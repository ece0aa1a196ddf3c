import { expect } from 'chai';
import { BearerCache } from '../../../core/security/bearer-cache';

/** What a process keeps of a bearer token's user, and when it must read it again. */
describe('the bearer token cache', () => {
  let clock = 0;
  const now = () => clock;
  const user = { id: 7, is_active: true, security_version: '3' };

  beforeEach(() => {
    clock = 1_000;
  });

  it('answers a kept user until its time is up, then nothing', () => {
    const cache = new BearerCache(1000, 10, now);
    cache.keep('h', user, cache.mark());
    clock += 999;
    expect(cache.get('h')).to.deep.equal(user);
    clock += 1;
    expect(cache.get('h')).to.equal(undefined);
  });

  it('drops everything at a change to who may do what', () => {
    const cache = new BearerCache(1000, 10, now);
    cache.keep('h', user, cache.mark());
    cache.clear();
    expect(cache.get('h')).to.equal(undefined);
  });

  it('does not keep a read that a change overtook: it may hold what the change replaced', () => {
    const cache = new BearerCache(1000, 10, now);
    const mark = cache.mark();
    cache.clear(); // the change lands while the read is on its way
    cache.keep('h', user, mark);
    expect(cache.get('h')).to.equal(undefined);
  });

  it('keeps nothing with no time to keep it', () => {
    const cache = new BearerCache(0, 10, now);
    cache.keep('h', user, cache.mark());
    expect(cache.keeps).to.equal(false);
    expect(cache.get('h')).to.equal(undefined);
  });

  it('stays bounded: a flood of tokens starts it over rather than growing it', () => {
    const cache = new BearerCache(1000, 3, now);
    for (const hash of ['a', 'b', 'c', 'd']) cache.keep(hash, user, cache.mark());
    expect(['a', 'b', 'c'].map((h) => cache.get(h))).to.deep.equal([undefined, undefined, undefined]);
    expect(cache.get('d')).to.deep.equal(user);
  });
});
