import { type JumpCloudClient } from '@jumpcloud-graph/jumpcloud-client';

export interface OrganizationInventory {
  id: string;
  name: string;
  users: number;
  userGroups: number;
  userGroupMembers: number;
  applications: number;
  applicationAssignments: number;
  systems: number;
  systemGroups: number;
  systemGroupMembers: number;
  userDeviceAssociations: number;
}

/**
 * Reads every list of one organization through the client and counts what it finds: every
 * endpoint the sync uses, exercised end to end. Fan-out lists run concurrently; the client's
 * scheduler bounds what is really in flight.
 */
export async function readOrganizationInventory(client: JumpCloudClient, id: string, name: string): Promise<OrganizationInventory> {
  const count = async (list: AsyncIterable<unknown>) => {
    let n = 0;
    for await (const _ of list) n += 1;
    return n;
  };
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

  const [users, userGroups, applications, systems, systemGroups] = await Promise.all([
    client.listSystemUsers().toArray(),
    client.listUserGroups().toArray(),
    client.listApplications().toArray(),
    client.listSystems().toArray(),
    client.listSystemGroups().toArray(),
  ]);
  // User<->device edges are read from whichever side has fewer objects: fewer lists to page.
  const userDevices =
    users.length <= systems.length
      ? users.map((u) => count(client.listUserAssociations(u._id, ['system'])))
      : systems.map((s) => count(client.listSystemAssociations(s._id, ['user'])));
  const [userGroupMembers, applicationAssignments, systemGroupMembers, userDeviceAssociations] = await Promise.all([
    Promise.all(userGroups.map((g) => count(client.listUserGroupMembers(g.id)))),
    Promise.all(applications.map((a) => count(client.listApplicationAssociations(a._id, ['user', 'user_group'])))),
    Promise.all(systemGroups.map((g) => count(client.listSystemGroupMembers(g.id)))),
    Promise.all(userDevices),
  ]);
  return {
    id,
    name,
    users: users.length,
    userGroups: userGroups.length,
    userGroupMembers: sum(userGroupMembers),
    applications: applications.length,
    applicationAssignments: sum(applicationAssignments),
    systems: systems.length,
    systemGroups: systemGroups.length,
    systemGroupMembers: sum(systemGroupMembers),
    userDeviceAssociations: sum(userDeviceAssociations),
  };
}

/** Every organization the key sees, each read with its own `x-org-id` when there are several. */
export async function readInventory(client: JumpCloudClient): Promise<OrganizationInventory[]> {
  const organizations = await client.listOrganizations().toArray();
  const multiTenant = organizations.length > 1;
  return Promise.all(
    organizations.map((org) =>
      readOrganizationInventory(multiTenant ? client.forOrganization(org._id) : client, org._id, org.displayName ?? org._id),
    ),
  );
}
