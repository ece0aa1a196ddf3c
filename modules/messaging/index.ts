import { defineModule } from 'tessera/core';
import { MESSAGING } from './api';
import { representativeEntity } from './representatives/representative-entity';
import { messageEntity } from './messages/message-entity';
import { MessageServiceImpl, messageHooks } from './messages/message-service';
import { appointmentEntity } from './appointments/appointment-entity';
import { AppointmentServiceImpl, appointmentHooks } from './appointments/appointment-service';
import { appointmentApiOverrides, calendarApiRoutes } from './appointments/appointment-api';
import { templateEntity } from './templates/template-entity';
import { templateHooks } from './templates/template-preview';
import { channelEntity } from './channels/channel-entity';
import { channelHooks } from './channels/channel-secrets';
import { notificationApiRoutes } from './notifications/notification-api';
import { deliveryJob, MAX_ATTEMPTS } from './notifications/delivery-job';
import { sweepStaleClaims } from './notifications/delivery-sweep';
import { bindNotificationServices, remindAll } from './services';
import { calendarPageRoutes } from './calendar/calendar-pages';
import { deliveryPageRoutes } from './notifications/delivery-pages';
import { customerPanel } from './crm/customer-panel';
import { homePanel } from './home/home-panel';
import { pendingForUser } from './home/pending-badge';
import { templatePreviewPanel } from './templates/template-panel';
import { seedMessagingDemo } from './demo-data';

/**
 * messaging: messages and appointments for representatives with a FULL calendar, notifications by
 * e-mail, SMS and WhatsApp. Other modules use it through api.ts only.
 */
export default defineModule({
  register(m) {
    const parts = bindNotificationServices(m);

    m.entities.register(representativeEntity);
    m.entities.register(messageEntity, { serviceId: MESSAGING.Messages, hooks: messageHooks(), service: (o) => new MessageServiceImpl(messageEntity, o) });
    let appointments: AppointmentServiceImpl | null = null;
    appointments = m.entities.register(appointmentEntity, {
      serviceId: MESSAGING.Appointments,
      hooks: appointmentHooks(),
      service: (o) => new AppointmentServiceImpl(appointmentEntity, o),
      api: appointmentApiOverrides(() => appointments!),
    });
    m.entities.register(templateEntity, { hooks: templateHooks(parts.catalogue) });
    m.entities.register(channelEntity, { hooks: channelHooks() });

    for (const route of calendarApiRoutes()) m.routes.api(route);
    for (const route of notificationApiRoutes(parts.catalogue)) m.routes.api(route);

    for (const route of [...calendarPageRoutes(), ...deliveryPageRoutes()]) m.routes.page(route);
    m.views.slot(customerPanel());
    m.views.slot(homePanel());
    m.views.badge('messaging.pending', pendingForUser);
    m.views.slot(templatePreviewPanel(parts.catalogue));
    m.demo(seedMessagingDemo);

    m.jobs.define('deliver', deliveryJob(m.container, parts.adapters), { attempts: MAX_ATTEMPTS });
    m.jobs.schedule('sweep', '*/5 * * * *', async () => ({ requeued: await sweepStaleClaims(m.container, new Date()) }));
    m.jobs.schedule('reminders', '*/15 * * * *', async () => ({ sent: await remindAll(m.container, parts, new Date()) }));
  },
});
