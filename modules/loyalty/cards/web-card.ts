import type QRCodeLib from 'qrcode';

import { HANDLED, NotFoundError, type PublicAccess, type PublicPageRoute } from 'tessera/core';
import { LOYALTY_CARD_EVENTS } from '../api';
import { companyToday } from './card-issue';
import { ACTIONS_OF } from './card-moves';
import { CARD_TYPES, type CardType } from './template-rules';

// qrcode loads on the first card shown, not at every start.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const qrcode = (): typeof QRCodeLib => require('qrcode') as typeof QRCodeLib;

const SECRET = /^[A-Za-z0-9_-]{32}$/;
const COLOUR = /^#[0-9a-fA-F]{6}$/;
const DEFAULT_DESIGN = { background: '#1f3a5f', foreground: '#ffffff', accent: '#f2b705' };

type Row = Record<string, any>;

/** The card a web card link names, with its template, or a 404 that says nothing of why. */
async function cardOf(access: PublicAccess, secret: string): Promise<{ card: Row; template: Row }> {
  if (!SECRET.test(secret)) throw new NotFoundError('Card');
  const db = access.lookup('a web card is found by its unguessable secret, in whichever company issued it');
  const card = await db('loyalty_cards').where({ secret }).first();
  if (!card) throw new NotFoundError('Card');
  const template = await db('loyalty_card_templates').where({ id: card.template_id, company_id: card.company_id }).first();
  return { card, template };
}

function designOf(template: Row): typeof DEFAULT_DESIGN & { logo: string | null; title: string } {
  let design: Record<string, unknown> = {};
  try {
    design = typeof template.design === 'string' ? JSON.parse(template.design) : (template.design ?? {});
  } catch {
    design = {};
  }
  const colour = (key: keyof typeof DEFAULT_DESIGN) => (typeof design[key] === 'string' && COLOUR.test(design[key] as string) ? (design[key] as string) : DEFAULT_DESIGN[key]);
  return { background: colour('background'), foreground: colour('foreground'), accent: colour('accent'), logo: null, title: String(template.name) };
}

/** What the card shows its holder, in words, by type. */
function stateLines(card: Row, template: Row, currency: string): Array<{ label: string; value: string }> {
  const money = (minor: number) => new Intl.NumberFormat('en', { style: 'currency', currency }).format(minor / 100);
  const rules = typeof template.rules === 'string' ? JSON.parse(template.rules) : template.rules;
  switch (card.type as CardType) {
    case 'stamp': {
      const next = [...rules.milestones].sort((a: Row, b: Row) => a.stamps - b.stamps).find((m: Row) => m.stamps > Number(card.stamps)) ?? rules.milestones[0];
      return [{ label: 'Stamps', value: `${card.stamps} of ${next.stamps}` }, { label: 'Next reward', value: next.reward }];
    }
    case 'multipass':
      return [{ label: 'Uses left', value: String(card.uses_left) }];
    case 'cashback':
    case 'certificate':
      return [{ label: 'Balance', value: money(Number(card.balance)) }];
    case 'coupon':
      return [{ label: 'Gives', value: rules.reward }, { label: 'Status', value: card.status === 'used' ? 'Used' : 'Ready to use' }];
    case 'membership':
      return [{ label: 'Tier', value: rules.tier }, { label: 'Member until', value: String(card.membership_ends ?? '') }];
    case 'discount':
      return [{ label: 'Spent so far', value: money(Number(card.spend_total)) }];
    case 'reward':
      return [{ label: 'Points', value: String(card.points) }];
  }
  return [];
}

/** The customer's card on their phone: a public page per card, its look, a QR code staff scan, installable. */
export function webCardRoutes(): PublicPageRoute[] {
  const reason = "the customer's own card, opened from the link they were sent; the secret in the path is the key";
  return [
    {
      method: 'GET', path: '/w/:secret', reason,
      handler: async (access, { params }) => {
        const { card, template } = await cardOf(access, params.secret);
        const ctx = await access.asCompany(Number(card.company_id));
        const company = ctx.principal.companies?.[0];
        const expired = card.valid_until && card.valid_until < companyToday(ctx);
        return {
          view: 'loyalty/web-card',
          data: {
            title: designOf(template).title,
            secret: params.secret,
            company: company?.name ?? '',
            number: card.number,
            type: CARD_TYPES[card.type as CardType],
            status: expired ? 'expired' : card.status,
            validUntil: card.valid_until,
            lines: stateLines(card, template, company?.currency ?? 'EUR'),
            qr: await qrcode().toString(String(card.number), { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }),
            actions: ACTIONS_OF[card.type as CardType],
          },
        };
      },
    },
    {
      method: 'GET', path: '/w/:secret/card.css', reason: "the card's colours, which the page's style policy cannot take inline",
      handler: async (access, { params }, _req, res) => {
        const { template } = await cardOf(access, params.secret);
        const d = designOf(template);
        res.type('text/css').send(`.web-card{background:${d.background};color:${d.foreground}}.web-card .accent{color:${d.accent}}.web-card .qr{border-color:${d.accent}}\n`);
        return HANDLED;
      },
    },
    {
      method: 'GET', path: '/w/:secret/manifest.webmanifest', reason: "the card's web app manifest, so the phone installs it on its home screen",
      handler: async (access, { params }, _req, res) => {
        const { template } = await cardOf(access, params.secret);
        const d = designOf(template);
        res.type('application/manifest+json').send(JSON.stringify({
          name: d.title,
          short_name: d.title.slice(0, 12),
          start_url: `/w/${params.secret}`,
          scope: `/w/${params.secret}`,
          display: 'standalone',
          background_color: d.background,
          theme_color: d.background,
          icons: [{ src: `/w/${params.secret}/icon.png`, sizes: '192x192', type: 'image/png' }],
        }));
        return HANDLED;
      },
    },
    {
      method: 'GET', path: '/w/:secret/icon.png', reason: "the installed card's home-screen icon",
      handler: async (access, { params }, _req, res) => {
        const { card } = await cardOf(access, params.secret);
        res.type('image/png').send(await qrcode().toBuffer(String(card.number), { width: 192, margin: 2 }));
        return HANDLED;
      },
    },
    {
      method: 'POST', path: '/w/:secret/installed', reason: 'the phone reports the card was added to its home screen (counted once)',
      handler: async (access, { params }, _req, res) => {
        const { card } = await cardOf(access, params.secret);
        const ctx = await access.asCompany(Number(card.company_id));
        // Published with the mark, once: referral rewards wait for it.
        await ctx.db.transaction(async (db) => {
          const marked = await db.unscoped('marks the card the secret names as installed, once').table('loyalty_cards').where({ id: card.id }).whereNull('installed_at').update({ installed_at: new Date() });
          if (marked === 1) await db.publish(LOYALTY_CARD_EVENTS.installed, { card_id: Number(card.id), customer_id: Number(card.customer_id) }, Number(card.company_id));
        });
        res.status(204).end();
        return HANDLED;
      },
    },
  ];
}
