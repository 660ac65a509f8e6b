import { KeyDeduplicator, toRelationship, toUserEntity } from '@jumpcloud-graph/graph-mapping';
import { type StepImplementation } from './step';

export const usersStep: StepImplementation = {
  id: 'users',
  async execute({ org, source, mapping, run, signal, progress }) {
    let written = 0;
    // Relationships are made for written (deduplicated) users only, so they cannot repeat.
    const scope = new KeyDeduplicator();
    for await (const page of source.users(org.organization.id, signal)) {
      const entities = await run.writeEntities(page.map((user) => toUserEntity(user, mapping)));
      written += entities.length;
      written += await run.writeRelationships(
        entities.map((user) => toRelationship('jumpcloud_account_has_user', org.accountKey, user._key)),
        scope,
      );
      for (const entity of entities) {
        const email = Array.isArray(entity['email']) ? entity['email'][0] : undefined;
        if (typeof email === 'string' && email !== '') {
          const text = (key: string) => (typeof entity[key] === 'string' ? (entity[key] as string) : null);
          org.employees.push([entity._key, email, text('firstName'), text('lastName'), text('name') ?? entity._key]);
        }
      }
      progress(written);
    }
  },
};
