import type { SlotContribution } from 'tessera/core';
import { MESSAGING_PERMISSIONS as P, type Channel } from '../api';
import type { Catalogue } from '../notifications/catalogue';
import { previewTemplate } from './template-preview';

/** A template's record page shows it rendered on its notification's sample data. */
export function templatePreviewPanel(catalogue: Catalogue): SlotContribution {
  return {
    slot: 'messaging.template.panels',
    template: 'messaging/template-preview',
    permission: P.templateManage,
    data: async (ctx, page) => {
      const row = (page.template ?? (page.record as { row?: unknown } | undefined)?.row) as { event: string; channel: Channel; subject: string | null; body: string } | undefined;
      if (!row) return {};
      try {
        const declaration = catalogue.get(row.event);
        return { preview: await previewTemplate(ctx, catalogue, row), isEmail: row.channel === 'email', sample: JSON.stringify(declaration?.sample ?? {}, null, 2) };
      } catch (error) {
        return { problem: (error as Error).message };
      }
    },
  };
}
