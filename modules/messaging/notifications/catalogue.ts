import type { EventRegistrar } from 'tessera/core';
import { CHANNELS, type NotificationCatalogue, type NotificationDeclaration, type NotifyService } from '../api';

const KEY = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/**
 * The notifications installed modules can send, declared at register time with their sample data.
 * A declaration with a trigger is sent on that event, through the outbox (after the publisher's commit,
 * at least once, deduplicated by `<key>:<record>`), and only when some installed module declares the
 * event: messaging reacts to a neighbour's event without depending on the neighbour.
 */
export class Catalogue implements NotificationCatalogue {
  private readonly declarations = new Map<string, NotificationDeclaration>();
  private readonly subscribed = new Set<string>();

  constructor(
    private readonly events: EventRegistrar,
    private readonly notify: () => NotifyService,
  ) {}

  declare(declaration: NotificationDeclaration): void {
    if (!KEY.test(declaration.key)) throw new Error(`Notification key "${declaration.key}" must look like <module>.<what>`);
    // The module a key names may replace what another declared for it (messaging's receipt for billing).
    const before = this.declarations.get(declaration.key);
    if (before && (before.module === declaration.module || declaration.key.split('.')[0] !== declaration.module)) {
      throw new Error(`Notification "${declaration.key}" is declared twice`);
    }
    const unknown = declaration.channels.find((c) => !CHANNELS.includes(c));
    if (unknown || !declaration.channels.length) throw new Error(`Notification "${declaration.key}": channels must be some of ${CHANNELS.join(', ')}`);
    this.declarations.set(declaration.key, declaration);
    const trigger = declaration.trigger;
    if (!trigger || !this.events.declared(trigger.event) || this.subscribed.has(`${declaration.key}>${trigger.event}`)) return;
    this.subscribed.add(`${declaration.key}>${trigger.event}`);
    this.events.on<Record<string, unknown>>(
      trigger.event,
      async ({ db, event }) => {
        const current = this.declarations.get(declaration.key)?.trigger ?? trigger;
        const customerId = Number(event.payload[current.customer]);
        if (!Number.isSafeInteger(customerId) || customerId <= 0) return;
        const data = current.data ? current.data(event.payload) : event.payload;
        await this.notify().send(db, { template: declaration.key, customerId, data, dedupeKey: String(event.payload[current.record]) });
      },
      { mode: 'outbox', name: `messaging:notify:${declaration.key}` },
    );
  }

  list(): NotificationDeclaration[] {
    return [...this.declarations.values()].sort((a, b) => a.key.localeCompare(b.key));
  }

  get(key: string): NotificationDeclaration | undefined {
    return this.declarations.get(key);
  }

  /** Whether the declaration's trigger is live (its event is declared by an installed module). */
  listening(key: string): boolean {
    const trigger = this.declarations.get(key)?.trigger;
    return Boolean(trigger && this.events.declared(trigger.event));
  }
}
