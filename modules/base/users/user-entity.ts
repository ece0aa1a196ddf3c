import { type ModuleContext, CORE, type EntityService, type UserService, type UserSummary, userEntity } from 'tessera/core';
import { userPages } from './user-pages';

type UserEntityService = UserService & EntityService<typeof userEntity, UserSummary>;

/**
 * `/api/v1/base/users` and the pages under /admin/users, derived by the resource layer from core's user
 * declaration and served by core's user service (its hooks hash passwords, keep memberships and roles,
 * and hold a sub-admin to what it reaches). What is special: the pages are users' own (roles and
 * companies as checkboxes, what the caller cannot toggle kept), and the summaries say the API's rules.
 */
export function registerUsers(m: ModuleContext): void {
  const users = m.container.get<UserEntityService>(CORE.Users);
  const served: typeof userEntity = { ...userEntity, paths: { api: '/users', pages: '/admin/users' } };
  m.entities.register(served, {
    service: () => users,
    api: {
      list: { summary: 'List users: `q` is a prefix of e-mail or name; keyset pages' },
      get: { summary: 'Get a user' },
      create: { summary: 'Create a user' },
      update: { summary: 'Edit a user (e-mail, name, active flag, password, roles, companies); a sub-admin only users all of whose companies it manages' },
    },
    pages: userPages(),
  });
}
