import { defineModule } from 'tessera/core';
import { MESSAGING } from './api';
import { representativeEntity } from './representatives/representative-entity';
import { messageEntity } from './messages/message-entity';
import { MessageServiceImpl, messageHooks } from './messages/message-service';
import { appointmentEntity } from './appointments/appointment-entity';
import { AppointmentServiceImpl, appointmentHooks } from './appointments/appointment-service';
import { appointmentApiOverrides, calendarApiRoutes } from './appointments/appointment-api';

/**
 * messaging: messages and appointments for representatives with a FULL calendar, notifications by
 * e-mail, SMS and WhatsApp. Other modules use it through api.ts only.
 */
export default defineModule({
  register(m) {
    m.entities.register(representativeEntity);
    const messages = m.entities.register(messageEntity, { serviceId: MESSAGING.Messages, hooks: messageHooks(), service: (o) => new MessageServiceImpl(messageEntity, o) });
    let appointments: AppointmentServiceImpl | null = null;
    appointments = m.entities.register(appointmentEntity, {
      serviceId: MESSAGING.Appointments,
      hooks: appointmentHooks(),
      service: (o) => new AppointmentServiceImpl(appointmentEntity, o),
      api: appointmentApiOverrides(() => appointments!),
    });
    void messages;
    for (const route of calendarApiRoutes()) m.routes.api(route);
  },
});
