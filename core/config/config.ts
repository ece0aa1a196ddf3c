import type { LoginLimits } from '../security/login-throttle';

export interface TesseraConfig {
  port: number;
  databaseUrl: string;
  redisUrl: string | null;
  /** Names this installation's keys in a Redis shared with other installations; derived from the database when unset. */
  instanceName?: string;
  /** How long a worker's hold on a job lasts without a heartbeat: after it, a dead worker's job runs elsewhere. */
  jobLeaseSeconds: number;
  /**
   * How long a process may answer bearer calls from what it last read of a token, its user and the
   * security version, without reading them again (0: read on every call). A change made in this
   * process, or announced by another over Redis, is seen at once; otherwise within this time.
   */
  tokenCacheMs: number;
  sessionSecret?: string;
  /** AES-256 key of secrets kept in the database (64 hex digits or base64); else the key file. */
  secretKey?: string;
  /** Where the key is kept when `secretKey` is unset, relative to the repository; made on first start. */
  secretKeyFile?: string;
  /** The address people reach this installation at (`https://erp.example.com`), for links sent by e-mail. */
  publicUrl?: string;
  modulesPath: string[];
  demo: boolean;
  autoMigrate: boolean;
  admin: { email: string; password: string };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  trustProxy: boolean;
  secureCookies: boolean;
  /** ISO 3166 country code modules read national forms in (a phone number without its +), unless a company says otherwise. */
  defaultCountry?: string;
  loginRateLimit: LoginLimits;
  /** The repository root: built-in modules and the shell's views are found from here. */
  rootDir: string;
}
