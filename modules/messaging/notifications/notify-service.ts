import crypto from 'node:crypto';
import type { Container } from 'inversify';
import { CORE, isDuplicateKey, ValidationError, type JobQueue, type ScopedDb } from 'tessera/core';
import type { Customer, CustomerContact } from '../../crm/api';
import { CHANNELS, type Channel, type NotificationDeclaration, type NotificationRecord, type NotifyRequest, type NotifyService } from '../api';
import { contextOf, findContact, findContacts } from '../crm/customers';
import { render } from '../templates/template-render';
import type { Catalogue } from './catalogue';
import { Batcher, DELIVER_JOB, writeTogether, type NotificationRow } from './notify-batch';
import { sendingSettings, type SendingSettings } from './sending-settings';

export { DELIVER_JOB };
const TABLE = 'messaging_notifications';

/** A request checked against the catalogue, waiting for its batch. */
interface Asked {
  db: ScopedDb;
  request: NotifyRequest;
  declaration: NotificationDeclaration;
  channels: Channel[] | null;
  resolve(records: NotificationRecord[]): void;
  reject(error: unknown): void;
}

interface Contexts {
  system(companyIds: number[]): { db: ScopedDb };
}

/**
 * Notifications are written in the sender's transaction, one row per (company, dedupe key, channel),
 * rendered there, and handed to the delivery job in that same transaction: nothing goes out for a
 * rolled-back transaction, and asking twice answers the first notification.
 *
 * A sender in no transaction of its own is served with the other senders of the moment (`Batcher`):
 * one read of the settings, one transaction, one multi-row insert and one delivery job for all of
 * them, instead of a read, a transaction, an insert and a job each; each sender still gets its answer
 * only once its rows and their job are committed. The customers are read through crm's service, in
 * one read for the senders of one principal, under that principal.
 */
export class NotifyServiceImpl implements NotifyService {
  private readonly batcher: Batcher<Asked>;

  constructor(
    private readonly container: Container,
    private readonly catalogue: Catalogue,
  ) {
    this.batcher = new Batcher(
      (batch) => this.sendBatch(batch),
      (asked, error) => asked.reject(error),
    );
  }

  async send(db: ScopedDb, request: NotifyRequest): Promise<NotificationRecord[]> {
    const declaration = this.catalogue.get(request.template);
    if (!declaration) throw new ValidationError({ template: `"${request.template}" is not a declared notification` });
    if (!request.dedupeKey) throw new ValidationError({ dedupeKey: 'is required' });
    const channels = request.channel === undefined ? null : Array.isArray(request.channel) ? request.channel : [request.channel];
    const bad = channels?.find((c) => !CHANNELS.includes(c));
    if (bad) throw new ValidationError({ channel: `"${bad}" is not one of ${CHANNELS.join(', ')}` });
    if (db.isInTransaction) {
      // In the caller's transaction, one read after the other, and written there.
      const customer = await this.customer(db, request);
      const settings = await sendingSettings(db, [db.principal.companyId], [request.template], [request.customerId]);
      return this.writeAlone(db, this.rowsOf({ db, request, declaration, channels }, customer, settings));
    }
    db.assertCompany(db.principal.companyId);
    // Someone waiting for an answer hears at once that the queue is away, and nothing is written (as `enqueue` does).
    if (db.principal.via !== 'system') await this.container.get<JobQueue>(CORE.JobQueue).assertAvailable();
    return new Promise((resolve, reject) => this.batcher.add({ db, request, declaration, channels, resolve, reject }));
  }

  private async sendBatch(batch: Asked[]): Promise<void> {
    const companies = [...new Set(batch.map((a) => a.db.principal.companyId))];
    // The settings of every sender's company, event and customer in one statement, read as the system of
    // those companies (each sender's own company was checked in `send`); the customers through crm, one
    // read per principal among the senders, under it. At once, on separate connections.
    const reader = batch.length === 1 ? batch[0].db : this.container.get<Contexts>(CORE.Contexts).system(companies).db;
    const [settings, customers] = await Promise.all([
      sendingSettings(reader, companies, [...new Set(batch.map((a) => a.request.template))], [...new Set(batch.map((a) => a.request.customerId))]),
      this.customers(batch),
    ]).catch((error: unknown) => {
      batch.forEach((a) => a.reject(error));
      return [null, null] as const;
    });
    if (!settings || !customers) return;
    const ready: Array<{ asked: Asked; rows: NotificationRow[] }> = [];
    batch.forEach((asked, i) => {
      try {
        const customer = customers[i];
        if (customer instanceof Error) throw customer;
        ready.push({ asked, rows: this.rowsOf(asked, customer, settings) });
      } catch (error) {
        asked.reject(error);
      }
    });
    if (ready.length === 1) {
      // Alone, the plain path: its insert answers the id, no read-back.
      const [{ asked, rows }] = ready;
      return this.writeAlone(asked.db, rows).then(asked.resolve, asked.reject);
    }
    let records: NotificationRecord[][];
    try {
      records = await writeTogether(this.container, ready.map((r) => ({ userId: r.asked.db.principal.userId, rows: r.rows })));
    } catch {
      // A dedupe key asked twice (within the batch, or already written) fails the batch's insert: each
      // sender's rows are written again alone, where the unique key finds the first notification.
      await Promise.all(ready.map(({ asked, rows }) => this.writeAlone(asked.db, rows).then(asked.resolve, asked.reject)));
      return;
    }
    ready.forEach(({ asked }, i) => asked.resolve(records[i]));
  }

  private async customer(db: ScopedDb, request: NotifyRequest): Promise<CustomerContact> {
    return checked(db, request, await findContact(contextOf(db, this.container), request.customerId));
  }

  /**
   * Each sender's customer, or why it is refused: one read through crm's `contacts` for the senders of
   * one principal (the same user, through the same door, seeing the same companies: what crm's
   * visibility turns on), under that principal; a sender alone keeps the plain `contact`.
   */
  private async customers(batch: Asked[]): Promise<Array<CustomerContact | Error>> {
    const groups = new Map<string, Asked[]>();
    for (const asked of batch) {
      const p = asked.db.principal;
      const key = `${p.via}:${p.userId}:${p.isSuperAdmin}:${[...p.companyIds].sort((a, b) => a - b).join(',')}`;
      groups.set(key, [...(groups.get(key) ?? []), asked]);
    }
    const found = new Map<Asked, CustomerContact | Error>();
    await Promise.all(
      [...groups.values()].map(async (group) => {
        if (group.length === 1) {
          found.set(group[0], await this.customer(group[0].db, group[0].request).catch((error: unknown) => error as Error));
          return;
        }
        try {
          const contacts = await findContacts(contextOf(group[0].db, this.container), group.map((a) => Number(a.request.customerId)));
          for (const asked of group) found.set(asked, attempt(() => checked(asked.db, asked.request, contacts.get(Number(asked.request.customerId)))));
        } catch (error) {
          for (const asked of group) found.set(asked, error as Error);
        }
      }),
    );
    return batch.map((asked) => found.get(asked)!);
  }

  /** The rows of a request, rendered: queued, or skipped saying why. */
  private rowsOf(asked: Pick<Asked, 'db' | 'request' | 'declaration' | 'channels'>, customer: CustomerContact, settings: SendingSettings): NotificationRow[] {
    const { db, request, declaration } = asked;
    const companyId = db.principal.companyId;
    const { templates, enabled, blocked } = settings.of(companyId, request.template, customer.id);
    // Not asked for a channel: every configured one the notification has a template for (the company's or its default).
    const channels = asked.channels ?? declaration.channels.filter((c) => (templates.has(c) || declaration.defaults?.[c]) && enabled.has(c));
    const company = db.principal.companies?.find((c) => c.id === companyId);
    const data = { ...request.data, customer: publicCustomer(customer), company: company ? { name: company.name, code: company.code } : {} };
    return channels.map((channel) => {
      const template = templates.get(channel) ?? declaration.defaults?.[channel];
      const recipient = channel === 'email' ? customer.email : customer.phone;
      const reason = !template
        ? 'not sent: no template'
        : blocked.has(channel)
          ? 'not sent: opted out'
          : !recipient
            ? `not sent: no ${channel === 'email' ? 'e-mail' : 'phone'}`
            : !enabled.has(channel)
              ? `not sent: no ${channel} channel configured`
              : null;
      return {
        company_id: companyId,
        event: request.template,
        channel,
        customer_id: customer.id,
        dedupe_key: keyOf(request.template, request.dedupeKey, channel),
        status: reason ? 'skipped' : 'queued',
        reason,
        recipient: recipient ?? null,
        subject: template?.subject ? render(template.subject, data, channel, 'subject').slice(0, 191) : null,
        body: template && !reason ? render(template.body, data, channel) : null,
      };
    });
  }

  /** The rows of one sender, in its transaction (or one of their own): each with its delivery job. */
  private writeAlone(db: ScopedDb, rows: NotificationRow[]): Promise<NotificationRecord[]> {
    return db.transaction(async (tx) => {
      const records: NotificationRecord[] = [];
      for (const row of rows) {
        // The unique key decides: a second ask (or a concurrent one) finds the first notification.
        let id: number;
        try {
          id = await tx.insert(TABLE, row, { audit: false });
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
          const taken = await tx.queryCompany(row.company_id, TABLE).where({ dedupe_key: row.dedupe_key }).modify((q) => (tx.client === 'better-sqlite3' ? q : q.forShare())).first('id', 'status', 'reason');
          records.push({ id: Number(taken.id), channel: row.channel, status: taken.status, created: false, reason: taken.reason ?? null });
          continue;
        }
        if (row.status === 'queued') await tx.enqueue(DELIVER_JOB, { notification_id: id }, { jobKey: `${DELIVER_JOB}:${id}`, companyId: row.company_id });
        records.push({ id, channel: row.channel, status: row.status, created: true, reason: row.reason });
      }
      return records;
    });
  }
}

/** The customer of a request, if the sender's own company holds it; refused (naming the field) otherwise. */
function checked(db: ScopedDb, request: NotifyRequest, customer: CustomerContact | undefined): CustomerContact {
  if (!customer || Number(customer.company_id) !== db.principal.companyId) throw new ValidationError({ customerId: `customer ${request.customerId} does not exist` });
  return customer;
}

function attempt<T>(work: () => T): T | Error {
  try {
    return work();
  } catch (error) {
    return error as Error;
  }
}

/** What templates may show of a customer. */
export function publicCustomer(c: Pick<Customer, 'first_name' | 'last_name' | 'code' | 'email' | 'phone'>): Record<string, unknown> {
  return { first_name: c.first_name, last_name: c.last_name, code: c.code, email: c.email, phone: c.phone };
}

/** `<template>:<key>:<channel>`, hashed when too long for the column. */
function keyOf(template: string, key: string, channel: Channel): string {
  const full = `${template}:${key}:${channel}`;
  return full.length <= 191 ? full : `${template.slice(0, 80)}:${crypto.createHash('sha256').update(full).digest('hex')}`;
}
