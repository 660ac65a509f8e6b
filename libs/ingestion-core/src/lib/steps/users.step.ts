import { toUserEntity } from '@jumpcloud-graph/graph-mapping';
import { type LastLoginBook } from '../incremental/directory-window';
import { entityListStep } from './entity-list.step';

export const usersStep = entityListStep<Parameters<typeof toUserEntity>[0], LastLoginBook | undefined>({
  id: 'users',
  list: (source, orgId, signal) => source.users(orgId, signal),
  // Last logins (Directory Insights) are read alongside the list, and each user is written with its own.
  extra: (context) => context.org.lastLogins?.() ?? Promise.resolve(undefined),
  convert: (user, mapping, logins) => toUserEntity(user, mapping, logins?.of(user.id, user.username)),
  accountRelationship: 'jumpcloud_account_has_user',
  remember(org, written) {
    for (const entity of written) {
      org.ids.users.push(entity._key);
      const email = Array.isArray(entity['email']) ? entity['email'][0] : undefined;
      if (typeof email === 'string' && email !== '') {
        const text = (key: string) => (typeof entity[key] === 'string' ? (entity[key] as string) : null);
        org.employees.push([entity._key, email, text('firstName'), text('lastName'), text('name') ?? entity._key]);
      }
    }
    org.userCount.add(written.length);
  },
});
