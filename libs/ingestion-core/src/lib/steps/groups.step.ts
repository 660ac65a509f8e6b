import { KeyDeduplicator, toGroupEntity, toRelationship } from '@jumpcloud-graph/graph-mapping';
import { type StepImplementation } from './step';

export const groupsStep: StepImplementation = {
  id: 'groups',
  async execute({ org, source, mapping, run, signal, progress }) {
    let written = 0;
    const scope = new KeyDeduplicator();
    for await (const page of source.userGroups(org.organization.id, signal)) {
      const entities = await run.writeEntities(page.map((group) => toGroupEntity(group, mapping)));
      written += entities.length;
      written += await run.writeRelationships(
        entities.map((group) => toRelationship('jumpcloud_account_has_group', org.accountKey, group._key)),
        scope,
      );
      org.groupIds.push(...entities.map((group) => group._key));
      progress(written);
    }
  },
};
