import type { LoginLimits } from '../security/login-throttle';

export interface TesseraConfig {
  port: number;
  databaseUrl: string;
  redisUrl: string | null;
  sessionSecret?: string;
  modulesPath: string[];
  demo: boolean;
  autoMigrate: boolean;
  admin: { email: string; password: string };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  trustProxy: boolean;
  secureCookies: boolean;
  loginRateLimit: LoginLimits;
  /** The repository root: built-in modules and the shell's views are found from here. */
  rootDir: string;
}
