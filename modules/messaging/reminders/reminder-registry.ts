import type { ReminderRegistry, ReminderSource } from '../api';

/** The due-date sources modules registered ("N days before" reminders). */
export class Reminders implements ReminderRegistry {
  private readonly sources = new Map<string, ReminderSource>();

  register(source: ReminderSource): void {
    if (this.sources.has(source.key)) throw new Error(`Reminder source "${source.key}" is registered twice`);
    this.sources.set(source.key, source);
  }

  all(): ReminderSource[] {
    return [...this.sources.values()];
  }
}
