import { expect } from 'chai';
import { retryOnConflict } from '../../../core/db/db-errors';

/** Work the database gave up (a deadlock victim) runs again; the job ledger's writes and gold's instalments rely on it. */
describe('retryOnConflict', () => {
  const deadlock = () => Object.assign(new Error('Deadlock found when trying to get lock; try restarting transaction'), { code: 'ER_LOCK_DEADLOCK' });

  it('runs a write the database gave up again, and answers what the winning run wrote', async () => {
    let tries = 0;
    const claimed = await retryOnConflict(async () => {
      tries++;
      if (tries < 3) throw deadlock();
      return 1;
    });
    expect(claimed).to.equal(1);
    expect(tries).to.equal(3);
  });

  it('gives up after five losses, and never repeats a write that failed for another reason', async () => {
    let tries = 0;
    await retryOnConflict(async () => {
      tries++;
      throw deadlock();
    }).then(() => expect.fail('should have thrown'), (error) => expect(error.code).to.equal('ER_LOCK_DEADLOCK'));
    expect(tries).to.equal(5);

    tries = 0;
    await retryOnConflict(async () => {
      tries++;
      throw Object.assign(new Error('Unknown column'), { code: 'ER_BAD_FIELD_ERROR' });
    }).then(() => expect.fail('should have thrown'), (error) => expect(error.code).to.equal('ER_BAD_FIELD_ERROR'));
    expect(tries).to.equal(1);
  });
});
