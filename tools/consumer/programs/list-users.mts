// Consumer scenario 1: list users from the JumpCloud simulator with the typed client, using only
// the published packages. 250 users with page size 100 means three pages, read concurrently after
// the first (v1), and no request past the end.
import assert from 'node:assert/strict';
import { createJumpCloudClient, JumpCloudApiSource, PAGE_SIZE } from '@jumpcloud-graph/jumpcloud-client';
import { startJumpCloudSimulator } from '@jumpcloud-graph/jumpcloud-simulator';

const USERS = 250;
const sim = await startJumpCloudSimulator({ dataset: { users: USERS, edgeCases: false } });
try {
  const client = createJumpCloudClient({ apiKey: sim.apiKey, baseUrl: sim.baseUrl });
  const usernames: string[] = [];
  for await (const user of client.listSystemUsers({ fields: ['username', 'email'] })) {
    assert.ok(user.username, `a user without a username: ${JSON.stringify(user)}`);
    usernames.push(user.username);
  }
  assert.equal(usernames.length, USERS, 'listSystemUsers() gives every user of the simulator');
  assert.equal(new Set(usernames).size, USERS, 'no user is listed twice');
  const requests = client.requestCounts().total;
  assert.equal(requests, Math.ceil(USERS / PAGE_SIZE), 'one request per page of 100');

  // The same users as domain objects, through the JumpCloudSource port.
  const source = new JumpCloudApiSource(client);
  const organizations = await source.listOrganizations();
  assert.equal(organizations.length, 1, 'one organization');
  let domainUsers = 0;
  for await (const page of source.users(organizations[0].id)) domainUsers += page.length;
  assert.equal(domainUsers, USERS, 'JumpCloudApiSource.users() gives every user');
  console.log(`listed ${usernames.length} users in ${requests} requests, and as many domain users through JumpCloudApiSource`);
} finally {
  await sim.stop();
}
