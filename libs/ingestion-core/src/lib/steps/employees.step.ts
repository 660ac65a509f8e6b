import { type Entity, type MappedRelationship } from '@jumpcloud-graph/domain';
import { KeyDeduplicator, toUserEmployeeMappedRelationship } from '@jumpcloud-graph/graph-mapping';
import { type StepImplementation } from './step';

const BATCH = 500;

/** One mapped IS relationship from every user with an email to the employee (Person) it is. */
export const employeesStep: StepImplementation = {
  id: 'employees',
  async execute({ org, run, progress }) {
    let written = 0;
    // One seed per written user, so keys cannot repeat; the scope only guards the rule.
    const scope = new KeyDeduplicator();
    for (let start = 0; start < org.employees.length; start += BATCH) {
      const batch: MappedRelationship[] = [];
      for (const [userKey, email, firstName, lastName, name] of org.employees.slice(start, start + BATCH)) {
        const user: Entity = { _key: userKey, _type: 'jumpcloud_user', _class: ['User'], email: [email], firstName, lastName, name };
        const mapped = toUserEmployeeMappedRelationship(user);
        if (mapped) batch.push(mapped);
      }
      written += await run.writeRelationships(batch, scope);
      progress(written);
    }
  },
};
