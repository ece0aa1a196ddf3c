import { expect } from 'chai';
import supertest from 'supertest';
import { startFixtureApp } from '../../support/fixture-app';
import { csrfFrom, type TestApp, type TestUser } from '../../support/harness';
import { LoginService, TooManyAttemptsError } from '../../../core/security/login-service';

/**
 * Sign-in throttling against a real database, with a clock the test moves. A call center signs in from
 * behind one address: a guesser there is slowed, a colleague with the right password still gets in.
 */
describe('sign-in throttling: a guesser is slowed, a colleague with the right password gets in', () => {
  let t: TestApp;
  let clock: Date;
  let login: LoginService;
  const OFFICE = '203.0.113.7';
  const limits = { maxFailures: 5, windowSeconds: 900, firstDelaySeconds: 5, pairMemorySeconds: 86_400, maxAddressFailures: 40, accountAlarmFailures: 20, trustedAddressDays: 30 };

  before(async () => {
    t = await startFixtureApp();
  });
  after(() => t.close());
  beforeEach(async () => {
    // Each test starts on a fresh day, so attempts of earlier tests are out of every window.
    const last = await t.knex('core_login_attempts').max({ at: 'created_at' }).first();
    clock = new Date(Math.max(Date.now(), Number(new Date(last?.at ?? 0))) + 40 * 86_400_000);
    login = new LoginService(t.knex, limits, () => clock);
  });

  const later = (seconds: number) => {
    clock = new Date(clock.getTime() + seconds * 1000);
  };

  /** The attempt's outcome: a user id, 'wrong' for a refused password, or the wait in seconds when throttled. */
  async function attempt(user: TestUser, password: string, ip: string): Promise<number | 'wrong' | { wait: number }> {
    try {
      return (await login.login(user.email, password, ip)) ?? 'wrong';
    } catch (error) {
      if (error instanceof TooManyAttemptsError) return { wait: error.retryAfterSeconds };
      throw error;
    }
  }

  it('slows one account from one address with growing delays, and lets a colleague behind it in meanwhile', async () => {
    const victim = await t.createUser({ permissions: [] });
    const colleague = await t.createUser({ permissions: [] });
    for (let i = 0; i < 5; i++) expect(await attempt(victim, 'guess', OFFICE)).to.equal('wrong');
    // Even the right password waits: the guesser must not learn it is right by getting past the wait.
    expect(await attempt(victim, victim.password, OFFICE)).to.deep.equal({ wait: 5 });
    expect(await attempt(colleague, colleague.password, OFFICE)).to.equal(colleague.id);
    const waits: number[] = [];
    for (let i = 0; i < 9; i++) {
      const refused = (await attempt(victim, 'guess', OFFICE)) as { wait: number };
      waits.push(refused.wait);
      later(refused.wait);
      expect(await attempt(victim, 'guess', OFFICE)).to.equal('wrong');
    }
    expect(waits).to.deep.equal([5, 10, 20, 40, 80, 160, 320, 640, 900]);
    // Past the 20 failures from one address that used to lock out a whole office:
    for (let i = 0; i < 25; i++) await attempt(await t.createUser({ permissions: [] }), 'typo', OFFICE);
    expect(await attempt(colleague, colleague.password, OFFICE)).to.equal(colleague.id);
    expect(await attempt(victim, victim.password, '198.51.100.1')).to.equal(victim.id);
  });

  it('forgets the failures of an account and address once the right password got in', async () => {
    const user = await t.createUser({ permissions: [] });
    for (let i = 0; i < 4; i++) await attempt(user, 'typo', OFFICE);
    expect(await attempt(user, user.password, OFFICE)).to.equal(user.id);
    for (let i = 0; i < 5; i++) expect(await attempt(user, 'typo', OFFICE)).to.equal('wrong');
    expect(await attempt(user, 'typo', OFFICE)).to.deep.equal({ wait: 5 });
  });

  it('under guessing from many addresses, refuses those that failed and checks the password from the others', async () => {
    const victim = await t.createUser({ permissions: [] });
    for (let i = 1; i <= 20; i++) expect(await attempt(victim, `guess-${i}`, `192.0.2.${i}`)).to.equal('wrong');
    // Each guessing address has one failure: under attack, that is enough to wait out the window.
    const again = await attempt(victim, victim.password, '192.0.2.3');
    expect(again).to.have.property('wait').that.is.within(890, 900);
    // A fresh address gets one try: a guesser there fails and is stopped, the owner gets in.
    expect(await attempt(victim, 'guess-21', '192.0.2.21')).to.equal('wrong');
    expect(await attempt(victim, 'guess-22', '192.0.2.21')).to.have.property('wait');
    expect(await attempt(victim, victim.password, '198.51.100.99')).to.equal(victim.id);
    later(901);
    expect(await attempt(victim, victim.password, '192.0.2.3')).to.equal(victim.id);
  });

  it('spares the address an account signs in from: a typo there is not an attack', async () => {
    const user = await t.createUser({ permissions: [] });
    expect(await attempt(user, user.password, OFFICE)).to.equal(user.id);
    later(3600);
    for (let i = 1; i <= 25; i++) await attempt(user, `guess-${i}`, `192.0.2.${i}`);
    expect(await attempt(user, 'typo', OFFICE)).to.equal('wrong');
    expect(await attempt(user, user.password, OFFICE)).to.equal(user.id);
  });

  it('refuses an address past its ceiling, except for accounts that signed in from it before', async () => {
    const regular = await t.createUser({ permissions: [] });
    const newcomer = await t.createUser({ permissions: [] });
    const sprayer = '198.51.100.250';
    expect(await attempt(regular, regular.password, sprayer)).to.equal(regular.id);
    for (let i = 0; i < limits.maxAddressFailures; i++) await login.login(`nobody-${i}@tessera.test`, 'spray', sprayer);
    expect(await attempt(newcomer, newcomer.password, sprayer)).to.deep.equal({ wait: 900 });
    expect(await attempt(regular, regular.password, sprayer)).to.equal(regular.id);
    expect(await attempt(newcomer, newcomer.password, '198.51.100.251')).to.equal(newcomer.id);
  });

  it('counts guesses sent at the same moment: no more than the free ones reach the password check', async () => {
    const victim = await t.createUser({ permissions: [] });
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => attempt(victim, 'parallel-guess', OFFICE)));
    expect(outcomes.filter((o) => o === 'wrong').length).to.be.within(1, limits.maxFailures);
    expect(outcomes.filter((o) => typeof o === 'object').length).to.be.at.least(20 - limits.maxFailures);
    // Refused attempts are taken back: only the checked ones count as failures.
    const failures = await t.knex('core_login_attempts').where({ email: victim.email, succeeded: false }).count({ n: '*' }).first();
    expect(Number(failures!.n)).to.equal(outcomes.filter((o) => o === 'wrong').length);
  });

  it('answers 429 on the sign-in page with Retry-After, and a colleague behind the same address signs in', async () => {
    const victim = await t.createUser({ permissions: [] });
    const colleague = await t.createUser({ permissions: [] });
    const agent = supertest.agent(t.app);
    const token = csrfFrom((await agent.get('/login')).text);
    for (let i = 0; i < 5; i++) await agent.post('/login').type('form').send({ email: victim.email, password: 'nope-nope', _csrf: token }).expect(401);
    const refused = await agent.post('/login').type('form').send({ email: victim.email, password: victim.password, _csrf: token }).expect(429);
    expect(refused.headers['retry-after']).to.match(/^\d+$/);
    expect(refused.text).to.match(/Too many failed sign-ins\. Try again in \d+ seconds?\./);
    await agent.post('/login').type('form').send({ email: colleague.email, password: colleague.password, _csrf: token }).expect(302);
  });
});
