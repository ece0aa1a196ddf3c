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
  loginRateLimit: { maxFailures: number; windowSeconds: number };
  /** The repository root: built-in modules and the shell's views are found from here. */
  rootDir: string;
}
