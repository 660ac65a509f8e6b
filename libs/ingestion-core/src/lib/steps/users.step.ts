import { toUserEntity } from '@jumpcloud-graph/graph-mapping';
import { entityListStep } from './entity-list.step';

export const usersStep = entityListStep({
  id: 'users',
  list: (source, orgId, signal) => source.users(orgId, signal),
  convert: toUserEntity,
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
