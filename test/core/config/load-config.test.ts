import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../core/config/load-config';

describe('configuration', () => {
  it('starts on the embedded default: SQLite under data/, no Redis, port 3000', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).to.match(/^sqlite:\/\//);
    expect(config.redisUrl).to.equal(null);
    expect(config.port).to.equal(3000);
  });

  it('takes DATABASE_URL, REDIS_URL, PORT, ADMIN_EMAIL and ADMIN_PASSWORD from the environment', () => {
    const config = loadConfig({ DATABASE_URL: 'mysql://root@127.0.0.1:3306/test', REDIS_URL: 'redis://127.0.0.1:6379', PORT: '8080', ADMIN_EMAIL: 'boss@example.com', ADMIN_PASSWORD: 'long-enough' });
    expect(config).to.include({ databaseUrl: 'mysql://root@127.0.0.1:3306/test', redisUrl: 'redis://127.0.0.1:6379', port: 8080 });
    expect(config.admin).to.deep.equal({ email: 'boss@example.com', password: 'long-enough' });
  });

  it('stops the start with the key and the variable named when a value is bad', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).to.throw(ConfigError, /port \(from PORT\)/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://x' })).to.throw(ConfigError, /databaseUrl \(from DATABASE_URL\)/);
    expect(() => loadConfig({ ADMIN_EMAIL: 'not-an-email' })).to.throw(ConfigError, /admin\.email \(from ADMIN_EMAIL\)/);
    expect(() => loadConfig({ ADMIN_PASSWORD: 'short' })).to.throw(ConfigError, /admin\.password/);
  });

  it('reads TESSERA_MODULES_PATH as a list of folders', () => {
    const config = loadConfig({ TESSERA_MODULES_PATH: '/opt/a:/opt/b' });
    expect(config.modulesPath).to.deep.equal(['/opt/a', '/opt/b']);
  });
});
