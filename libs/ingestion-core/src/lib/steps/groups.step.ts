import { toGroupEntity, toRelationship } from '@jumpcloud-graph/graph-mapping';
import { type StepImplementation } from './step';

export const groupsStep: StepImplementation = {
  id: 'groups',
  async execute({ org, source, mapping, run, signal, progress }) {
    let written = 0;
    for await (const page of source.userGroups(org.organization.id, signal)) {
      const entities = page.map((group) => toGroupEntity(group, mapping));
      written += await run.writeEntities(entities);
      written += await run.writeRelationships(
        entities.map((group) => toRelationship('jumpcloud_account_has_group', org.accountKey, group._key)),
      );
      org.groupIds.push(...page.map((group) => group.id));
      progress(written);
    }
  },
};
