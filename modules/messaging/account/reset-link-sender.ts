import type { Container } from 'inversify';
import { CORE, type ResetLinkMessage, type ResetLinkSender, type ScopedDb, type SecretBox } from 'tessera/core';
import { DeliveryError, type ChannelAdapters } from '../channels/channel-adapters';
import { toConfig } from '../notifications/delivery-job';

interface Contexts {
  system(companyIds: number[]): { db: ScopedDb };
}

/**
 * Fills core's `ResetLinkSender`: the "forgot password" link goes out by e-mail through the e-mail
 * channel of the user's default company (else of the first of their companies that has one). Sent at
 * once, not logged as a notification: the body holds a live link, and the delivery log is read by staff.
 */
export class EmailResetLinkSender implements ResetLinkSender {
  constructor(
    private readonly container: Container,
    private readonly adapters: ChannelAdapters,
  ) {}

  async send(message: ResetLinkMessage): Promise<{ sent: true } | { sent: false; reason: string }> {
    if (!message.companyIds.length) return { sent: false, reason: 'the user has no company' };
    const { db } = this.container.get<Contexts>(CORE.Contexts).system(message.companyIds);
    const rows = await db.unscoped('the reset link goes through a channel of one of the user\'s companies').table('messaging_channels').whereIn('company_id', message.companyIds).where({ channel: 'email', enabled: true });
    const row = message.companyIds.map((id) => rows.find((r: any) => Number(r.company_id) === id)).find(Boolean);
    if (!row) return { sent: false, reason: 'no e-mail channel in the user\'s companies' };
    try {
      await this.adapters.get('email').send(toConfig(row, this.container.get<SecretBox>(CORE.Secrets)), {
        reference: `reset-${message.userId}-${message.expiresAt.getTime()}`,
        to: message.email,
        subject: 'Choose a new password',
        body: resetMail(message),
      });
      return { sent: true };
    } catch (error) {
      if (error instanceof DeliveryError && !error.retryable) return { sent: false, reason: error.answer };
      throw error;
    }
  }
}

function resetMail(message: ResetLinkMessage): string {
  const minutes = Math.max(1, Math.round((message.expiresAt.getTime() - Date.now()) / 60_000));
  return [
    `<p>Hello ${escapeHtml(message.name || message.email)},</p>`,
    '<p>Someone (we hope you) asked to reset the password of your Tessera account.</p>',
    `<p><a href="${escapeHtml(message.link)}">Choose a new password</a></p>`,
    `<p>The link works once, within ${minutes} minutes. If you did not ask, ignore this e-mail: your password stays as it is.</p>`,
    `<p style="color:#666">${escapeHtml(message.link)}</p>`,
  ].join('\n');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
