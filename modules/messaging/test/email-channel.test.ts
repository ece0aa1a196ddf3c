import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { SMTPServer } from 'smtp-server';
import { EmailChannel } from '../channels/email-channel';
import type { ChannelConfig } from '../channels/channel-adapters';

/** The e-mail adapter against a real SMTP server: a burst shares pooled connections, which close once idle. */
describe('messaging e-mail adapter', function () {
  this.timeout(20_000);
  let server: SMTPServer;
  let port: number;
  let connections = 0;
  let open = 0;
  const received: string[] = [];

  before(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onConnect(_session, cb) {
        connections++;
        open++;
        cb();
      },
      onClose() {
        open--;
      },
      onAuth: (auth, _session, cb) => (auth.password === 'smtp-secret' ? cb(null, { user: auth.username }) : cb(new Error('Invalid username or password'))),
      onData(stream, session, cb) {
        stream.resume();
        stream.on('end', () => {
          received.push(...session.envelope.rcptTo.map((r) => r.address));
          cb();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    port = (server.server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const config = (secret: string): ChannelConfig => ({ channel: 'email', endpoint: '127.0.0.1', port, username: 'mailer', sender: 'shop@example.test', secret });
  const mail = (n: number) => ({ reference: `n${n}-ref`, to: `c${n}@example.test`, subject: `s${n}`, body: `<p>${n}</p>` });

  it('sends a burst over a few pooled connections, closes them once idle, and refuses a bad login for good', async () => {
    const channel = new EmailChannel();
    await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((n) => channel.send(config('smtp-secret'), mail(n))));
    await channel.send(config('smtp-secret'), mail(9));
    expect(received).to.have.members([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `c${n}@example.test`));
    expect(connections).to.be.within(1, 4);
    for (let i = 0; i < 100 && open > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(open).to.equal(0);
    const refused = await channel.send(config('wrong'), mail(10)).catch((e) => e);
    expect(refused.retryable).to.equal(false);
  });
});
