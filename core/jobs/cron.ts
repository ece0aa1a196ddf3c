import parser from 'cron-parser';

/** The next time a cron expression fires, from now. */
export const CronExpressionParser = {
  next(cron: string, from = new Date()): Date {
    return parser.parseExpression(cron, { currentDate: from, utc: true }).next().toDate();
  },
  validate(cron: string): void {
    parser.parseExpression(cron);
  },
};
