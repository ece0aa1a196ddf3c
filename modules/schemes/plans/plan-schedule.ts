/**
 * A pay plan's schedule: the deposit first, then the rest in instalments of `floor(rest / n)` with the
 * last one taking the remainder (500 over 3: 166, 166, 168). `n` is how many instalments of the agreed
 * amount the rest needs (rounded up), so no row is ever larger than the agreed amount by more than n - 1.
 */
export interface ScheduleRow {
  /** 0 is the deposit, 1..n the instalments. */
  seq: number;
  /** Minor units. */
  amount: number;
  /** Days after the start date the row falls due. */
  dueAfterDays: number;
}

export interface ScheduleInput {
  total: number;
  deposit: number;
  instalmentAmount: number;
  instalmentDays: number;
  /** Forces the number of instalments (otherwise `ceil(rest / instalmentAmount)`). */
  count?: number;
}

export function instalmentCount(input: Pick<ScheduleInput, 'total' | 'deposit' | 'instalmentAmount' | 'count'>): number {
  const rest = input.total - input.deposit;
  if (rest <= 0) return 0;
  return input.count ?? Math.ceil(rest / input.instalmentAmount);
}

/** The rows of the schedule; their amounts always add up to `total` exactly. */
export function planSchedule(input: ScheduleInput): ScheduleRow[] {
  const rows: ScheduleRow[] = [];
  if (input.deposit > 0) rows.push({ seq: 0, amount: input.deposit, dueAfterDays: 0 });
  const rest = input.total - input.deposit;
  const n = instalmentCount(input);
  if (n === 0) return rows;
  const each = Math.floor(rest / n);
  for (let i = 1; i <= n; i++) {
    rows.push({ seq: i, amount: i === n ? rest - each * (n - 1) : each, dueAfterDays: i * input.instalmentDays });
  }
  return rows;
}

/** The problems of a plan's money fields, by field, before anything is stored. */
export function scheduleProblems(input: Partial<ScheduleInput>): Record<string, string> {
  const errors: Record<string, string> = {};
  const { total, deposit = 0, instalmentAmount, instalmentDays } = input;
  if (!Number.isSafeInteger(total) || (total as number) <= 0) errors.total = 'must be a positive amount';
  if (!Number.isSafeInteger(deposit) || deposit < 0) errors.deposit = 'must be zero or a positive amount';
  else if (Number.isSafeInteger(total) && deposit > (total as number)) errors.deposit = 'cannot exceed the total';
  if (!Number.isSafeInteger(instalmentAmount) || (instalmentAmount as number) <= 0) errors.instalment_amount = 'must be a positive amount';
  if (!Number.isSafeInteger(instalmentDays) || (instalmentDays as number) <= 0 || (instalmentDays as number) > 366) errors.instalment_days = 'must be a whole number of days from 1 to 366';
  return errors;
}
