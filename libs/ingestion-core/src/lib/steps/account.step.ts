import { toAccountEntity } from '@jumpcloud-graph/graph-mapping';
import { type StepImplementation } from './step';

export const accountStep: StepImplementation = {
  id: 'account',
  async execute({ org, mapping, run, progress }) {
    progress((await run.writeEntities([toAccountEntity(org.organization, mapping)])).length);
  },
};
