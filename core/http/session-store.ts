import { ConnectSessionKnexStore } from 'connect-session-knex';
import type { SessionData } from 'express-session';

const TOUCH_EVERY_MS = 60_000;
const REMEMBERED = 10_000;

/**
 * Sessions in the database. express-session touches the stored expiry on every request; a back
 * office makes many requests a minute, so this store writes the new expiry at most once a minute per
 * session. The map only decides when to skip a write: losing it (a restart, another process) costs
 * one extra write, never a session.
 */
export class DatabaseSessionStore extends ConnectSessionKnexStore {
  private readonly lastTouch = new Map<string, number>();

  override async touch(sid: string, session: SessionData, callback?: () => void): Promise<void> {
    const now = Date.now();
    const last = this.lastTouch.get(sid);
    if (last !== undefined && now - last < TOUCH_EVERY_MS) {
      callback?.();
      return;
    }
    if (this.lastTouch.size >= REMEMBERED) this.lastTouch.clear();
    this.lastTouch.set(sid, now);
    return super.touch(sid, session, callback);
  }

  override async destroy(sid: string, callback?: (err?: any) => void): Promise<number> {
    this.lastTouch.delete(sid);
    return super.destroy(sid, callback);
  }

  stop(): void {
    if (this.nextDbCleanup) clearTimeout(this.nextDbCleanup);
  }
}
